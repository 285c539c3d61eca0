// ftbench run --mechanisms and variant names with a setting (mechanism_variants.h): expansion,
// canonical spellings, the child's environment, and every bad input a one-line InputError.
#include "mechanism_variants.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace ftb::bench {
namespace {

using Names = std::vector<std::string>;

class MechanismVariantsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The harness tests link no variant: register the three compiled variants' names.
    for (const char* name : {"gil", "atomic", "brc"}) VariantNamed(name);
    unsetenv("FTBENCH_MECHANISMS");
  }
  void TearDown() override { unsetenv("FTBENCH_MECHANISMS"); }
};

TEST_F(MechanismVariantsTest, EachSettingOtherThanTheDefaultIsItsOwnBrcVariant) {
  EXPECT_EQ(ExpandMechanismVariants({"gil", "brc"}, {"3.14", "3.13", "none"}),
            (Names{"gil", "brc", "brc:3.13", "brc:none"}));
  EXPECT_EQ(ExpandMechanismVariants({"brc", "gil"}, {"none", "3.14"}), (Names{"brc:none", "brc", "gil"}));
  EXPECT_EQ(ExpandMechanismVariants({}, {}), (Names{"gil", "atomic", "brc"}));
  EXPECT_EQ(ExpandMechanismVariants({}, {"3.13"}), (Names{"gil", "atomic", "brc:3.13"}));
  // Names with a setting are taken as they are, and duplicates dropped.
  EXPECT_EQ(ExpandMechanismVariants({"brc:3.13", "gil", "brc"}, {"none", "3.13"}),
            (Names{"brc:3.13", "gil", "brc:none"}));
  // A list that is a preset is the preset.
  EXPECT_EQ(ExpandMechanismVariants({"brc"}, {"borrowed_loads+immortal_constants+type_counts+deferred"}),
            (Names{"brc"}));
  EXPECT_EQ(ExpandMechanismVariants({"brc"}, {"immortal_constants+deferred"}), (Names{"brc:deferred+immortal_constants"}));
  // 3.14's borrowed loads are one of the mechanisms: without them the list is not the default.
  EXPECT_EQ(ExpandMechanismVariants({"brc"}, {"immortal_constants+type_counts+deferred"}),
            (Names{"brc:deferred+type_counts+immortal_constants"}));
}

TEST_F(MechanismVariantsTest, CanonicalSpellings) {
  EXPECT_EQ(CanonicalMechanisms("3.13"), "3.13");
  EXPECT_EQ(CanonicalMechanisms("immortalize_on_thread+immortal_constants"), "3.13");
  EXPECT_EQ(CanonicalMechanisms("type_counts"), "type_counts");
  EXPECT_EQ(CanonicalMechanisms("borrowed_loads+immortal_constants+deferred"), "deferred+immortal_constants+borrowed_loads");
  EXPECT_EQ(CanonicalMechanisms("borrowed_loads+immortal_constants+immortalize_on_thread"),
            "immortal_constants+immortalize_on_thread+borrowed_loads");
  EXPECT_EQ(ParseMechanismsList({"none", "3.14"}), (Names{"none", "3.14"}));
  MechanismVariant plain = ResolveMechanismVariant("brc");
  EXPECT_EQ(plain.variant->runtime.name, "brc");
  EXPECT_FALSE(plain.setting.has_value());
  MechanismVariant none = ResolveMechanismVariant("brc:none");
  EXPECT_EQ(none.variant->runtime.name, "brc");
  EXPECT_EQ(none.setting, "none");
}

TEST_F(MechanismVariantsTest, TheChildGetsTheSettingInItsEnvironment) {
  EXPECT_EQ(MechanismsEnvironment("brc"), Names{});
  EXPECT_EQ(MechanismsEnvironment("gil"), Names{});
  EXPECT_EQ(MechanismsEnvironment("machine"), Names{});  // the calibration cell's
  EXPECT_EQ(MechanismsEnvironment("brc:3.13"), Names{"FTBENCH_MECHANISMS=3.13"});
  EXPECT_EQ(MechanismsEnvironment("brc:deferred+immortal_constants"),
            Names{"FTBENCH_MECHANISMS=deferred,immortal_constants"});
  EXPECT_EQ(MechanismsEnvironment("brc:deferred+immortal_constants+borrowed_loads"),
            Names{"FTBENCH_MECHANISMS=deferred,immortal_constants,borrowed_loads"});
  EXPECT_THROW(CheckMechanismsEnvironment(ResolveMechanismVariant("brc:none")), InputError);
  setenv("FTBENCH_MECHANISMS", "none", 1);
  EXPECT_NO_THROW(CheckMechanismsEnvironment(ResolveMechanismVariant("brc:none")));
  EXPECT_THROW(CheckMechanismsEnvironment(ResolveMechanismVariant("brc:3.13")), InputError);
  // The sweep's own environment must not set them too: the two would disagree.
  EXPECT_THROW(MechanismsEnvironment("brc:none"), InputError);
  EXPECT_THROW(CheckMechanismVariantInSweep("brc:3.13", false, "--variants"), InputError);
  EXPECT_NO_THROW(CheckMechanismVariantInSweep("brc", false, "--variants"));
}

TEST_F(MechanismVariantsTest, BadInputIsOneLineInputError) {
  auto message = [](auto&& fn) -> std::string {
    try {
      fn();
    } catch (const InputError& e) {
      return e.what();
    }
    return "(no error)";
  };
  EXPECT_EQ(message([] { ResolveMechanismVariant("gil:3.13"); }),
            "variant 'gil:3.13': gil has no mechanisms to set (only brc has)");
  EXPECT_EQ(message([] { ResolveMechanismVariant("brc:3.14"); }),
            "variant 'brc:3.14': the default setting is the plain name 'brc'");
  EXPECT_EQ(message([] { ResolveMechanismVariant("brc:immortalize_on_thread+immortal_constants"); }),
            "variant 'brc:immortalize_on_thread+immortal_constants': write it 'brc:3.13'");
  EXPECT_EQ(message([] { ParseMechanismsList({"none", "none"}); }), "--mechanisms: none appears twice");
  EXPECT_EQ(message([] { ParseMechanismsList({"3.13", "immortal_constants+immortalize_on_thread"}); }),
            "--mechanisms: 3.13 appears twice");
  EXPECT_EQ(message([] { CanonicalMechanisms("deferred+deferred"); }),
            "mechanisms setting 'deferred+deferred': deferred appears twice");
  for (const char* bad : {"", "fast", "deferred+", "+deferred", "3.12", "deferred,type_counts"})
    EXPECT_EQ(message([&] { CanonicalMechanisms(bad); }).rfind(std::string("unknown mechanisms setting '") + bad + "'", 0),
              0u)
        << bad;
  EXPECT_EQ(message([] { ResolveMechanismVariant("brc:"); }).rfind("unknown mechanisms setting ''", 0), 0u);
  EXPECT_EQ(message([] { ResolveMechanismVariant("nope:3.13"); }).rfind("unknown variant 'nope'", 0), 0u);
  EXPECT_EQ(message([] { CheckMechanismVariantInSweep("brc:none", true, "--variants"); }),
            "--variants: variant 'brc:none' needs a process per run (the mechanisms are set once per process): drop "
            "--in-process");
  for (const std::string& m :
       {message([] { ResolveMechanismVariant("gil:3.13"); }), message([] { CanonicalMechanisms("x"); })})
    EXPECT_EQ(m.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace ftb::bench
