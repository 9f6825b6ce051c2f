// The moto/LocalStack flow with the JavaScript SDK v3 (the newest models):
// create a role through IAM, read it back, assume it through STS, clean up.
// Usage: node iam_flow.mjs <endpoint-url>; prints one JSON object of facts.
import {
  IAMClient, CreateRoleCommand, GetRoleCommand, PutRolePolicyCommand, GetRolePolicyCommand,
  ListRolesCommand, DeleteRolePolicyCommand, DeleteRoleCommand,
} from "@aws-sdk/client-iam";
import { STSClient, AssumeRoleCommand } from "@aws-sdk/client-sts";

const endpoint = process.argv[2];
const common = {
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  maxAttempts: 1,
};
const iam = new IAMClient(common);
const sts = new STSClient(common);
const trust = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "sts:AssumeRole" }],
});
const policy = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
});

const out = {};
const created = await iam.send(new CreateRoleCommand({ RoleName: "js-role", Path: "/js/", AssumeRolePolicyDocument: trust }));
out.arn = created.Role.Arn;
out.roleId = created.Role.RoleId;
const got = await iam.send(new GetRoleCommand({ RoleName: "js-role" }));
// The JS SDK returns documents as IAM sends them: URL-encoded.
out.trustEncoded = got.Role.AssumeRolePolicyDocument;
out.trustDecoded = decodeURIComponent(got.Role.AssumeRolePolicyDocument);
out.maxSessionDuration = got.Role.MaxSessionDuration;
await iam.send(new PutRolePolicyCommand({ RoleName: "js-role", PolicyName: "read", PolicyDocument: policy }));
out.inlineDecoded = decodeURIComponent(
  (await iam.send(new GetRolePolicyCommand({ RoleName: "js-role", PolicyName: "read" }))).PolicyDocument);
out.listed = (await iam.send(new ListRolesCommand({ PathPrefix: "/js/" }))).Roles.map((r) => r.RoleName);
const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: created.Role.Arn, RoleSessionName: "js-session" }));
out.assumedArn = assumed.AssumedRoleUser.Arn;
try {
  await iam.send(new GetRoleCommand({ RoleName: "absent" }));
} catch (e) {
  out.missing = { name: e.name, status: e.$metadata.httpStatusCode, message: e.message };
}
await iam.send(new DeleteRolePolicyCommand({ RoleName: "js-role", PolicyName: "read" }));
await iam.send(new DeleteRoleCommand({ RoleName: "js-role" }));
console.log(JSON.stringify(out));
