// Guards the byte shape of AWS's envelopes (AWS-BEHAVIOUR.md section 2): no
// declaration, two-space indent, trailing newline, Type/Code/Message order,
// the AWSFault namespace for dispatch errors, and the JSON rendering.
#include <gtest/gtest.h>

#include "stsd/protocol/response_writer.h"

using namespace stsd;
using namespace stsd::protocol;
using stsd::service::ResultNode;

namespace {
std::string header(const http::HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}
}  // namespace

TEST(ResponseWriter, ErrorEnvelopeIsByteExact) {
  auto r = render_error(StsError::make(ErrorCode::InvalidClientTokenId,
                                       "The security token included in the request is invalid"),
                        "16fc956c-311e-4199-bee1-1680236e9698", Format::Xml);
  // The 305-byte capture from real AWS.
  const std::string expected =
      "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n    <Type>Sender</Type>\n"
      "    <Code>InvalidClientTokenId</Code>\n    <Message>The security token included in the request is "
      "invalid</Message>\n  </Error>\n  <RequestId>16fc956c-311e-4199-bee1-1680236e9698</RequestId>\n"
      "</ErrorResponse>\n";
  EXPECT_EQ(r.body, expected);
  EXPECT_EQ(r.body.size(), 305u);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(header(r, "x-amzn-RequestId"), "16fc956c-311e-4199-bee1-1680236e9698");
  EXPECT_EQ(header(r, "Content-Type"), "text/xml");
}

TEST(ResponseWriter, DispatchErrorsUseTheAwsFaultNamespace) {
  auto r = render_error(StsError::make(ErrorCode::InvalidAction, "Could not find operation X for version 2011-06-15"),
                        "id", Format::Xml);
  EXPECT_NE(r.body.find("<ErrorResponse xmlns=\"http://webservices.amazon.com/AWSFault/2005-15-09\">"),
            std::string::npos);
  EXPECT_EQ(r.status, 400);
}

TEST(ResponseWriter, MalformedInputHasNoMessageElement) {
  auto r = render_error(StsError::without_message(ErrorCode::MalformedInput), "id", Format::Xml);
  EXPECT_EQ(r.body.find("<Message>"), std::string::npos);
  EXPECT_NE(r.body.find("<Code>MalformedInput</Code>"), std::string::npos);
}

TEST(ResponseWriter, MessagesAreEscapedAndMadeValidUtf8) {
  auto r = render_error(StsError::make(ErrorCode::ValidationError, "Value '<&\x01\xff>' bad"), "id", Format::Xml);
  EXPECT_NE(r.body.find("Value '&lt;&amp;\xEF\xBF\xBD\xEF\xBF\xBD&gt;' bad"), std::string::npos) << r.body;
}

TEST(ResponseWriter, SuccessEnvelopeShape) {
  ResultNode result = ResultNode::structure(
      "GetCallerIdentityResult", {ResultNode::string("Arn", "arn:aws:iam::123456789012:user/Alice"),
                                  ResultNode::string("UserId", "AIDAEXAMPLE"), ResultNode::string("Account", "123456789012")});
  auto r = render_success("GetCallerIdentity", result, "rid", Format::Xml);
  EXPECT_EQ(r.body,
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
            "  <GetCallerIdentityResult>\n"
            "    <Arn>arn:aws:iam::123456789012:user/Alice</Arn>\n"
            "    <UserId>AIDAEXAMPLE</UserId>\n"
            "    <Account>123456789012</Account>\n"
            "  </GetCallerIdentityResult>\n"
            "  <ResponseMetadata>\n"
            "    <RequestId>rid</RequestId>\n"
            "  </ResponseMetadata>\n"
            "</GetCallerIdentityResponse>\n");
  EXPECT_EQ(r.status, 200);
}

TEST(ResponseWriter, TimestampsAreWholeSecondsInXmlAndEpochInJson) {
  ResultNode result = ResultNode::structure(
      "GetSessionTokenResult",
      {ResultNode::structure("Credentials", {ResultNode::timestamp("Expiration", 1547328188)})});
  auto xml = render_success("GetSessionToken", result, "rid", Format::Xml);
  EXPECT_NE(xml.body.find("<Expiration>2019-01-12T21:23:08Z</Expiration>"), std::string::npos);
  auto json = render_success("GetSessionToken", result, "rid", Format::Json);
  EXPECT_EQ(json.body,
            R"({"GetSessionTokenResponse":{"GetSessionTokenResult":{"Credentials":{"Expiration":1547328188}},)"
            R"("ResponseMetadata":{"RequestId":"rid"}}})");
  EXPECT_EQ(header(json, "Content-Type"), "application/json");
}
