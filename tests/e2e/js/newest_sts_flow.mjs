// The newest STS model with the JavaScript SDK v3 (@aws-sdk/client-sts
// 3.1178+): AssumeRole with MinimumSessionTokenSize, then GetScopedCredentials
// on the role session, then GetCallerIdentity with the scoped credentials.
// Usage: node newest_sts_flow.mjs <endpoint-url> <role-arn>; prints one JSON object of facts.
import {
  STSClient, AssumeRoleCommand, GetScopedCredentialsCommand, GetCallerIdentityCommand,
} from "@aws-sdk/client-sts";

const [endpoint, roleArn] = process.argv.slice(2);
const client = (credentials) => new STSClient({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
const asCreds = (c) => ({ accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken });

const out = {};
const role = await client({ accessKeyId: "test", secretAccessKey: "test" }).send(
  new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "js", MinimumSessionTokenSize: 2048 }));
out.assume = {
  arn: role.AssumedRoleUser.Arn,
  tokenLength: role.Credentials.SessionToken.length,
  sessionTokenSize: role.SessionTokenSize,
  sessionTokenUtilization: role.SessionTokenUtilization,
};
const policy = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "sts:GetCallerIdentity", Resource: "*" }],
});
const scoped = await client(asCreds(role.Credentials)).send(
  new GetScopedCredentialsCommand({ Policy: policy, DurationSeconds: 600, ScopedSessionDescription: "js test" }));
out.scoped = {
  sessionInfo: scoped.SessionInfo,
  scopedPoliciesCount: scoped.ScopedPoliciesCount,
  sessionTokenSize: scoped.SessionTokenSize,
  expiration: scoped.Credentials.Expiration.toISOString(),
};
out.scopedCaller = (await client(asCreds(scoped.Credentials)).send(new GetCallerIdentityCommand({}))).Arn;
try {
  await client({ accessKeyId: "test", secretAccessKey: "test" }).send(new GetScopedCredentialsCommand({ DurationSeconds: 60 }));
  out.longTerm = "accepted";
} catch (e) {
  out.longTerm = { name: e.name, status: e.$metadata?.httpStatusCode };
}
console.log(JSON.stringify(out));
