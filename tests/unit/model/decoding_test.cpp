// Guards Query-protocol decoding into ActionInput: flattened lists and
// structures (Tags.member.N.Key, PolicyArns.member.N.arn, ...), the empty list
// botocore sends as `Tags=`, first-value-wins, ignored unknown parameters, and
// the Coral paths of errors inside list items (tags.1.member.key).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model_test_util.h"

using namespace stsd;
using namespace stsd::service;
using namespace stsd::service::test;

TEST(Decoding, ScalarsAndTypes) {
  auto r = op("AssumeRole").validate(assume_role({{"DurationSeconds", "3600"}, {"ExternalId", "ext-1"}}));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->string("RoleArn"), kRoleArn);
  EXPECT_EQ(r->string("RoleSessionName"), "s1");
  EXPECT_EQ(r->integer("DurationSeconds"), 3600);
  EXPECT_EQ(r->string("ExternalId"), "ext-1");
  EXPECT_FALSE(r->has("Policy"));
  EXPECT_EQ(r->string("Policy"), std::nullopt);
  EXPECT_EQ(r->integer("RoleArn"), std::nullopt);  // wrong kind reads as absent
  EXPECT_EQ(r->string("DurationSeconds"), std::nullopt);
  EXPECT_TRUE(r->list("Tags").empty());
}

TEST(Decoding, TagsInNumericOrder) {
  auto r = op("AssumeRole").validate(assume_role({{"Tags.member.2.Key", "k2"},
                                                  {"Tags.member.10.Value", "v10"},
                                                  {"Tags.member.1.Value", "v1"},
                                                  {"Tags.member.10.Key", "k10"},
                                                  {"Tags.member.1.Key", "k1"},
                                                  {"Tags.member.2.Value", ""}}));
  ASSERT_TRUE(r) << r.error().message;
  auto tags = r->list("Tags");
  ASSERT_EQ(tags.size(), 3u);
  EXPECT_EQ(tags[0].string("Key"), "k1");
  EXPECT_EQ(tags[0].string("Value"), "v1");
  EXPECT_EQ(tags[1].string("Key"), "k2");
  EXPECT_EQ(tags[1].string("Value"), "");  // tagValueType allows empty
  EXPECT_EQ(tags[2].string("Key"), "k10");
  EXPECT_EQ(tags[2].string("Value"), "v10");
  EXPECT_TRUE(r->has("Tags"));
}

TEST(Decoding, PolicyArnsUseLowercaseArn) {
  const std::string a1 = "arn:aws:iam::aws:policy/ReadOnlyAccess";
  const std::string a2 = "arn:aws:iam::123456789012:policy/mine";
  auto r = op("AssumeRole").validate(assume_role({{"PolicyArns.member.1.arn", a1}, {"PolicyArns.member.2.arn", a2}}));
  ASSERT_TRUE(r) << r.error().message;
  auto arns = r->list("PolicyArns");
  ASSERT_EQ(arns.size(), 2u);
  EXPECT_EQ(arns[0].string("arn"), a1);
  EXPECT_EQ(arns[1].string("arn"), a2);
  EXPECT_EQ(arns[0].string("Arn"), std::nullopt);
}

TEST(Decoding, PolicyArnsWithCapitalArnIsAnUnknownMember) {
  // Only `arn` is in the model; `Arn` is ignored and the item holds nothing.
  auto r = op("AssumeRole").validate(assume_role({{"PolicyArns.member.1.Arn", "arn:aws:iam::aws:policy/X"}}));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->list("PolicyArns").size(), 1u);
  EXPECT_FALSE(r->list("PolicyArns")[0].has("arn"));
}

TEST(Decoding, ScalarListTransitiveTagKeys) {
  auto r = op("AssumeRole").validate(assume_role({{"Tags.member.1.Key", "a"},
                                                  {"Tags.member.1.Value", "1"},
                                                  {"TransitiveTagKeys.member.2", "b"},
                                                  {"TransitiveTagKeys.member.1", "a"},
                                                  {"TransitiveTagKeys.member.1.Extra", "ignored"}}));
  ASSERT_TRUE(r) << r.error().message;
  auto keys = r->list("TransitiveTagKeys");
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].as_string(), "a");
  EXPECT_EQ(keys[1].as_string(), "b");
}

TEST(Decoding, ProvidedContexts) {
  auto r = op("AssumeRole").validate(
      assume_role({{"ProvidedContexts.member.1.ProviderArn", "arn:aws:iam::aws:contextProvider/IdentityCenter"},
                   {"ProvidedContexts.member.1.ContextAssertion", "assertion-1"}}));
  ASSERT_TRUE(r) << r.error().message;
  auto contexts = r->list("ProvidedContexts");
  ASSERT_EQ(contexts.size(), 1u);
  EXPECT_EQ(contexts[0].string("ProviderArn"), "arn:aws:iam::aws:contextProvider/IdentityCenter");
  EXPECT_EQ(contexts[0].string("ContextAssertion"), "assertion-1");
}

TEST(Decoding, EmptyListFromBotocore) {
  auto r = op("AssumeRole").validate(assume_role({{"Tags", ""}, {"PolicyArns", ""}}));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->has("Tags"));
  EXPECT_TRUE(r->list("Tags").empty());
  EXPECT_TRUE(r->has("PolicyArns"));
  EXPECT_FALSE(r->has("TransitiveTagKeys"));
}

TEST(Decoding, EmptyListBelowListMinimum) {
  // ProvidedContexts needs 1..5 items; the list itself is not echoed.
  auto r = op("AssumeRole").validate(assume_role({{"ProvidedContexts", ""}}));
  EXPECT_EQ(validation_message(r),
            "1 validation error detected: Value at 'providedContexts' failed to satisfy constraint: Member must "
            "have length greater than or equal to 1");
}

TEST(Decoding, StructureMember) {
  auto r = op("AssumeRoot").validate(params(
      {{"TargetPrincipal", "123456789012"}, {"TaskPolicyArn.arn", "arn:aws:iam::aws:policy/root-task/X"}}));
  ASSERT_TRUE(r) << r.error().message;
  const InputValue* task = r->structure("TaskPolicyArn");
  ASSERT_NE(task, nullptr);
  EXPECT_EQ(task->string("arn"), "arn:aws:iam::aws:policy/root-task/X");
  EXPECT_EQ(r->structure("TargetPrincipal"), nullptr);

  auto missing = op("AssumeRoot").validate(params({{"TargetPrincipal", "123456789012"}}));
  EXPECT_EQ(validation_message(missing),
            "1 validation error detected: Value null at 'taskPolicyArn' failed to satisfy constraint: Member must "
            "not be null");
}

TEST(Decoding, FirstValueWins) {
  Parameters valid_first;
  valid_first.add("RoleArn", kRoleArn);
  valid_first.add("RoleArn", "not-an-arn");
  valid_first.add("RoleSessionName", "s1");
  valid_first.add("RoleSessionName", "bad/name");
  valid_first.add("DurationSeconds", "900");
  valid_first.add("DurationSeconds", "899");
  auto ok = op("AssumeRole").validate(valid_first);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->string("RoleArn"), kRoleArn);
  EXPECT_EQ(ok->integer("DurationSeconds"), 900);

  Parameters invalid_first;
  invalid_first.add("RoleArn", "not-an-arn");
  invalid_first.add("RoleArn", kRoleArn);
  invalid_first.add("RoleSessionName", "s1");
  EXPECT_EQ(validation_message(op("AssumeRole").validate(invalid_first)),
            "1 validation error detected: Value 'not-an-arn' at 'roleArn' failed to satisfy constraint: Member "
            "must have length greater than or equal to 20");
}

TEST(Decoding, UnknownParametersIgnored) {
  auto r = op("AssumeRole").validate(assume_role({{"Unknown", "value"},
                                                  {"Action", "AssumeRole"},
                                                  {"Version", "2011-06-15"},
                                                  {"roleArn", "lowercase is another name"},
                                                  {"DurationSeconds.member.1", "1"},
                                                  {"Tags.member.x.Key", "bad index"},
                                                  {"Tags.member.0.Key", "zero index"},
                                                  {"Tags.member.01.Key", "leading zero"},
                                                  {"Tags.member.1", "scalar where a structure is expected"}}));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->has("Unknown"));
  EXPECT_FALSE(r->has("DurationSeconds"));
  EXPECT_FALSE(r->has("Tags"));
  EXPECT_EQ(r->string("RoleArn"), kRoleArn);
}

TEST(Decoding, GapsCollapseInNumericOrder) {
  auto r = op("AssumeRole").validate(assume_role({{"Tags.member.7.Key", "b"},
                                                  {"Tags.member.7.Value", "2"},
                                                  {"Tags.member.3.Key", "a"},
                                                  {"Tags.member.3.Value", "1"}}));
  ASSERT_TRUE(r) << r.error().message;
  auto tags = r->list("Tags");
  ASSERT_EQ(tags.size(), 2u);
  EXPECT_EQ(tags[0].string("Key"), "a");
  EXPECT_EQ(tags[1].string("Key"), "b");
}

// --- Errors inside lists -------------------------------------------------------------

TEST(ListErrors, TagMissingValueIsNull) {
  auto r = op("AssumeRole").validate(assume_role({{"Tags.member.1.Key", "k"}}));
  EXPECT_EQ(validation_message(r),
            "1 validation error detected: Value null at 'tags.1.member.value' failed to satisfy constraint: Member "
            "must not be null");
}

TEST(ListErrors, NestedPathsAndOrder) {
  const std::string long_value(257, 'v');
  auto r = op("AssumeRole").validate(assume_role({{"Tags.member.1.Key", "ok"},
                                                  {"Tags.member.1.Value", "ok"},
                                                  {"Tags.member.2.Key", "bad#key"},
                                                  {"Tags.member.2.Value", long_value},
                                                  {"PolicyArns.member.1.arn", "short"}}));
  EXPECT_EQ(validation_message(r),
            std::string("3 validation errors detected: ") +
                "Value 'short' at 'policyArns.1.member.arn' failed to satisfy constraint: Member must have length "
                "greater than or equal to 20; "
                "Value 'bad#key' at 'tags.2.member.key' failed to satisfy constraint: Member must satisfy regular "
                "expression pattern: " +
                kTagKeyPattern + "; Value '" + long_value +
                "' at 'tags.2.member.value' failed to satisfy constraint: Member must have length less than or "
                "equal to 256");
}

TEST(ListErrors, ScalarItemPath) {
  auto r = op("AssumeRole").validate(assume_role({{"TransitiveTagKeys.member.1", ""}}));
  EXPECT_EQ(validation_message(r),
            std::string("2 validation errors detected: Value '' at 'transitiveTagKeys.1.member' failed to satisfy "
                        "constraint: Member must satisfy regular expression pattern: ") +
                kTagKeyPattern +
                "; Value '' at 'transitiveTagKeys.1.member' failed to satisfy constraint: Member must have length "
                "greater than or equal to 1");
}

// Tags.member.<i>.<sub>, appended piecewise: g++ 12 misreports
// "literal" + std::to_string(i) under -Wrestrict.
std::string tag_member(int i, std::string_view sub) {
  std::string key = "Tags.member.";
  key.append(std::to_string(i)).append(1, '.').append(sub);
  return key;
}

TEST(ListErrors, MoreThanFiftyTags) {
  Parameters p = assume_role({});
  for (int i = 1; i <= 51; ++i) {
    p.add(tag_member(i, "Key"), std::string("k").append(std::to_string(i)));
    p.add(tag_member(i, "Value"), "v");
  }
  EXPECT_EQ(validation_message(op("AssumeRole").validate(p)),
            "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length "
            "less than or equal to 50");
}

TEST(ListErrors, FiftyTagsAccepted) {
  Parameters p = assume_role({});
  for (int i = 1; i <= 50; ++i) {
    p.add(tag_member(i, "Key"), std::string("k").append(std::to_string(i)));
    p.add(tag_member(i, "Value"), "v");
  }
  auto r = op("AssumeRole").validate(p);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->list("Tags").size(), 50u);
}

TEST(ListErrors, ListLengthBeforeItemErrors) {
  Parameters p = assume_role({});
  for (int i = 1; i <= 51; ++i) {
    p.add(tag_member(i, "Key"), i == 51 ? "bad#key" : std::string("k").append(std::to_string(i)));
    p.add(tag_member(i, "Value"), "v");
  }
  EXPECT_EQ(validation_message(op("AssumeRole").validate(p)),
            std::string("2 validation errors detected: Value at 'tags' failed to satisfy constraint: Member must "
                        "have length less than or equal to 50; Value 'bad#key' at 'tags.51.member.key' failed to "
                        "satisfy constraint: Member must satisfy regular expression pattern: ") +
                kTagKeyPattern);
}

TEST(ListErrors, TooManyProvidedContexts) {
  Parameters p = assume_role({});
  for (int i = 1; i <= 6; ++i) {
    p.add("ProvidedContexts.member." + std::to_string(i) + ".ProviderArn", "arn:aws:iam::aws:contextProvider/X");
    p.add("ProvidedContexts.member." + std::to_string(i) + ".ContextAssertion", "abcd");
  }
  EXPECT_EQ(validation_message(op("AssumeRole").validate(p)),
            "1 validation error detected: Value at 'providedContexts' failed to satisfy constraint: Member must "
            "have length less than or equal to 5");
}

TEST(ListErrors, ItemWithOnlyUnknownMembersReadsAsNullMembers) {
  auto r = op("AssumeRole").validate(assume_role({{"Tags.member.1.key", "lowercase"}}));
  EXPECT_EQ(validation_message(r),
            "2 validation errors detected: Value null at 'tags.1.member.key' failed to satisfy constraint: Member "
            "must not be null; Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not "
            "be null");
}

// --- Code points ---------------------------------------------------------------------

TEST(CodePoints, LengthCountsCodePoints) {
  // 2048 x U+00E9 (4096 bytes) is within 2048; 2049 is not.
  std::string e2048, e2049;
  for (int i = 0; i < 2048; ++i) e2048 += "\xC3\xA9";
  e2049 = e2048 + "\xC3\xA9";
  EXPECT_TRUE(op("AssumeRole").validate(assume_role({{"RoleArn", e2048}})));
  EXPECT_EQ(validation_message(op("AssumeRole").validate(assume_role({{"RoleArn", e2049}}))),
            "1 validation error detected: Value '" + e2049 +
                "' at 'roleArn' failed to satisfy constraint: Member must have length less than or equal to 2048");
}

TEST(CodePoints, DecomposedCharactersAreNotNormalised) {
  // "e" + U+0301 counts as two code points: 1025 pairs are 2050 > 2048.
  std::string decomposed;
  for (int i = 0; i < 1025; ++i) decomposed += "e\xCC\x81";
  EXPECT_EQ(validation_message(op("AssumeRole").validate(assume_role({{"RoleArn", decomposed}}))),
            "1 validation error detected: Value '" + decomposed +
                "' at 'roleArn' failed to satisfy constraint: Member must have length less than or equal to 2048");
}

TEST(CodePoints, SupplementaryPlaneFailsArnPattern) {
  // U+1F600: 2048 of them fit the length but not the pattern (ARGP live probe).
  std::string emoji2048, emoji2049;
  for (int i = 0; i < 2048; ++i) emoji2048 += "\xF0\x9F\x98\x80";
  emoji2049 = emoji2048 + "\xF0\x9F\x98\x80";
  EXPECT_EQ(validation_message(op("AssumeRole").validate(assume_role({{"RoleArn", emoji2048}}))),
            "1 validation error detected: Value '" + emoji2048 +
                "' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
                kArnPattern);
  EXPECT_EQ(validation_message(op("AssumeRole").validate(assume_role({{"RoleArn", emoji2049}}))),
            "2 validation errors detected: Value '" + emoji2049 +
                "' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
                kArnPattern + "; Value '" + emoji2049 +
                "' at 'roleArn' failed to satisfy constraint: Member must have length less than or equal to 2048");
}

TEST(CodePoints, InvalidUtf8FailsThePatternWithoutCrashing) {
  const std::vector<std::string> bad = {
      std::string("arn:aws:iam::1234567\xFF", 21),   // stray byte
      std::string("arn:aws:iam::123456\xC3", 20),     // truncated sequence
      std::string("arn:aws:iam::12345\xC0\xAF", 20),  // overlong '/'
      std::string("arn:aws:iam::1234\xED\xA0\x80", 20),  // encoded surrogate
  };
  for (const auto& value : bad) {
    auto r = op("AssumeRole").validate(assume_role({{"RoleArn", value}}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::ValidationError);
    EXPECT_NE(r.error().message.find("Member must satisfy regular expression pattern"), std::string::npos)
        << r.error().message;
  }
}

TEST(CodePoints, UnicodeTagsAccepted) {
  // Letters, separators and numbers from outside ASCII are legal tag text.
  auto r = op("AssumeRole").validate(assume_role({{"Tags.member.1.Key", "Kostenstelle \xC3\xBC" "ber"},
                                                  {"Tags.member.1.Value", "\xE6\x9D\xB1\xE4\xBA\xAC \xC2\xB2"}}));
  ASSERT_TRUE(r) << r.error().message;
}
