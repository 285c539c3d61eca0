// frontend/parser.h (internal to the front end): recursive descent over the tokens, Python's
// grammar and precedence for the subset (Grammar/python.gram). Constructs outside the subset are
// SyntaxErrors naming the construct ("'lambda' is not supported by ftbench's interpreter"), at
// the position of their first token. Negative numeric literals are folded (-5 is a constant).
#pragma once

#include <string>
#include <string_view>

#include "frontend/ast.h"

namespace ftb::bc {

ast::Module Parse(std::string_view source, const std::string& filename);

}  // namespace ftb::bc
