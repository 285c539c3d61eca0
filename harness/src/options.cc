#include "options.h"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "commands.h"
#include "topology.h"
#include "workload_select.h"

namespace ftb::cli {
namespace {

std::string_view WithoutPlus(std::string_view text) {
  if (text.size() > 1 && text.front() == '+' && text[1] != '-' && text[1] != '+') text.remove_prefix(1);
  return text;
}

}  // namespace

std::optional<double> ParseFiniteNumber(std::string_view text) {
  text = WithoutPlus(text);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<std::int64_t> ParseWholeNumber(std::string_view text) {
  text = WithoutPlus(text);
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

CLI::Validator FiniteNumber(double min, double max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        std::optional<double> value = ParseFiniteNumber(text);
        if (!value) return fmt::format("'{}' is not a finite number", text);
        if (*value < min || *value > max) return fmt::format("{} is not between {} and {}", text, min, max);
        return "";
      },
      fmt::format("NUMBER in [{}, {}]", min, max));
}

CLI::Validator PositiveNumber(double max) {
  return CLI::Validator(
      [max](std::string& text) -> std::string {
        std::optional<double> value = ParseFiniteNumber(text);
        if (!value) return fmt::format("'{}' is not a finite number", text);
        if (!(*value > 0) || *value > max) return fmt::format("{} is not greater than 0 and at most {}", text, max);
        return "";
      },
      fmt::format("NUMBER in (0, {}]", max));
}

CLI::Validator WholeNumber(std::int64_t min, std::int64_t max) {
  return CLI::Validator(
      [min, max](std::string& text) -> std::string {
        std::optional<std::int64_t> value = ParseWholeNumber(text);
        if (!value) return fmt::format("'{}' is not a whole number", text);
        if (*value < min || *value > max) return fmt::format("{} is not between {} and {}", text, min, max);
        return "";
      },
      fmt::format("INT in [{}, {}]", min, max));
}

CLI::Validator PlacementChoice() {
  std::vector<std::string> names;
  for (bench::Placement p : {bench::Placement::kCompact, bench::Placement::kScatter, bench::Placement::kNone})
    names.push_back(bench::PlacementName(p));
  return CLI::IsMember(names);
}

CLI::Validator ScalingChoice() {
  return CLI::IsMember(std::vector<std::string>{bench::ScalingName(bench::Scaling::kStrong),
                                                bench::ScalingName(bench::Scaling::kWeak)});
}

CLI::Option* AddListOption(CLI::App* cmd, const std::string& name, std::vector<std::string>& words,
                           const std::string& help) {
  return cmd->add_option(name, words, help)->type_name("LIST");
}

std::vector<std::string> SplitList(const std::vector<std::string>& words, const std::string& option, bool given) {
  std::vector<std::string> items;
  for (const std::string& word : words) {
    for (std::size_t start = 0; start <= word.size();) {
      std::size_t comma = word.find(',', start);
      if (comma == std::string::npos) comma = word.size();
      if (comma > start) items.push_back(word.substr(start, comma - start));
      start = comma + 1;
    }
  }
  if (given && items.empty()) throw UsageError(option + ": the list is empty");
  return items;
}

std::vector<int> ParseThreadList(const std::vector<std::string>& words, const std::string& option, bool given) {
  std::vector<int> threads;
  for (const std::string& item : SplitList(words, option, given)) {
    std::optional<std::int64_t> n = ParseWholeNumber(item);
    if (!n) throw UsageError(fmt::format("{}: '{}' is not a whole number", option, item));
    if (*n < 1 || *n > kMaxThreads) throw UsageError(fmt::format("{}: {} is not between 1 and {}", option, *n, kMaxThreads));
    if (std::find(threads.begin(), threads.end(), static_cast<int>(*n)) != threads.end())
      throw UsageError(fmt::format("{}: {} is given twice (each thread count is one cell)", option, *n));
    threads.push_back(static_cast<int>(*n));
  }
  return threads;
}

std::map<std::string, double> ParseKnobs(const std::vector<std::string>& assignments) {
  std::map<std::string, double> out;
  for (const std::string& word : assignments) {
    std::size_t eq = word.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == word.size())
      throw UsageError(fmt::format("--knob expects name=value or workload.name=value, got '{}'", word));
    std::string key = word.substr(0, eq), text = word.substr(eq + 1);
    std::optional<double> value = ParseFiniteNumber(text);
    if (!value) throw UsageError(fmt::format("knob {}: '{}' is not a number", key, text));
    out[key] = *value;
  }
  return out;
}

}  // namespace ftb::cli
