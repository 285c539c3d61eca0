// options.h: one parser per kind of command-line value, shared by every subcommand.
//
// CLI11 runs a validator on the text of each value before converting it, so these validators see
// exactly what was typed and say what is wrong with it in words ("'nan' is not a finite number",
// "'abc' is not a whole number"); CLI11 prefixes the option's name and main exits 2. Lists
// (--workloads fib,nbody) are taken as words and split here, not by CLI11's delimiter: a value
// made only of commas would otherwise leave the option without a value and make it swallow the
// next option ("--workloads , --out D").
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workload_select.h"

namespace ftb::cli {

// The whole text as a finite number (a leading '+' allowed); nullopt for anything else, NaN and
// the infinities included.
std::optional<double> ParseFiniteNumber(std::string_view text);
// The whole text as a whole number that fits in 64 bits; nullopt otherwise.
std::optional<std::int64_t> ParseWholeNumber(std::string_view text);

// A finite number in [min, max]: every floating-point option.
CLI::Validator FiniteNumber(double min, double max);
// A finite number greater than 0 and at most max (a duration, a scale factor).
CLI::Validator PositiveNumber(double max);
// A whole number in [min, max]: every integer option.
CLI::Validator WholeNumber(std::int64_t min, std::int64_t max);

// The names of --placement (compact, scatter, none) and --scaling (strong, weak): exactly those
// that ParsePlacement (topology.h) and ParseScaling (workload_select.h) accept.
CLI::Validator PlacementChoice();
CLI::Validator ScalingChoice();

// Adds an option taking a comma-separated list (also repeated, or space-separated words).
CLI::Option* AddListOption(CLI::App* cmd, const std::string& name, std::vector<std::string>& words,
                           const std::string& help);
// The items of a list option, empty items dropped. `given`: the option was on the command line;
// then an empty list is a UsageError ("--workloads: the list is empty").
std::vector<std::string> SplitList(const std::vector<std::string>& words, const std::string& option, bool given);

// The thread counts of a list option: whole numbers in [1, kMaxThreads], each once. Empty when the
// option was not given.
using bench::kMaxThreads;
std::vector<int> ParseThreadList(const std::vector<std::string>& words, const std::string& option, bool given);

// Parses `--knob` words: "name=value" (applies to every selected workload that has the knob) or
// "workload.name=value". Malformed words or values that are not finite numbers: UsageError.
std::map<std::string, double> ParseKnobs(const std::vector<std::string>& assignments);

}  // namespace ftb::cli
