// SigV4a (AWS4-ECDSA-P256-SHA256) with the JavaScript SDK v3's own signer,
// @aws-sdk/signature-v4a (pure JS, registered by importing it):
//   1. the STS client with its aws.auth#sigv4a scheme preferred; the SDK
//      switches to SigV4a only for the region set "*";
//   2. the SignatureV4a signer itself, for chosen region sets, sent raw;
//   3. session credentials (GetSessionToken over SigV4) signing with SigV4a.
// Usage: node sigv4a_flow.mjs <endpoint-url>; prints one JSON object of facts.
import "@aws-sdk/signature-v4a";
import { SignatureV4a } from "@aws-sdk/signature-v4a";
import { STSClient, GetCallerIdentityCommand, GetSessionTokenCommand } from "@aws-sdk/client-sts";
import { createHash, createHmac } from "node:crypto";
import http from "node:http";

const endpoint = process.argv[2];
const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const out = {};

// 1. The client, as an application would configure it.
const sts = new STSClient({
  endpoint,
  region: "us-east-1",
  credentials,
  maxAttempts: 1,
  authSchemePreference: ["sigv4a"],
  sigv4aSigningRegionSet: ["*"],
});
// The request as sent (deserialize is the last step before the wire).
sts.middlewareStack.add(
  (next) => async (args) => {
    out.clientAuthorization = args.request.headers.authorization;
    out.clientRegionSet = args.request.headers["x-amz-region-set"];
    return next(args);
  },
  { step: "deserialize", name: "captureSignedRequest" },
);
out.clientArn = (await sts.send(new GetCallerIdentityCommand({}))).Arn;

// 2. The signer alone. The SDK's hash interface over node:crypto (an HMAC
// when given a key).
class Sha256 {
  constructor(secret) {
    this.hash = secret ? createHmac("sha256", secret) : createHash("sha256");
  }
  update(data) {
    this.hash.update(data);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

function post(headers, body) {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { hostname: url.hostname, port: url.port, path: "/", method: "POST", headers },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const field = (xml, name) => (xml.match(new RegExp(`<${name}>([^<]*)</${name}>`)) || [])[1];

async function signedCall(regionSet, creds = credentials) {
  const url = new URL(endpoint);
  const body = "Action=GetCallerIdentity&Version=2011-06-15";
  const signer = new SignatureV4a({ credentials: creds, region: regionSet, service: "sts", sha256: Sha256 });
  const signed = await signer.sign(
    {
      method: "POST",
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: "/",
      query: {},
      headers: { host: url.host, "content-type": "application/x-www-form-urlencoded" },
      body,
    },
    { signingRegion: regionSet, signingService: "sts" },
  );
  const res = await post(signed.headers, body);
  return {
    status: res.status,
    arn: field(res.body, "Arn"),
    code: field(res.body, "Code"),
    message: field(res.body, "Message"),
    authorization: signed.headers.authorization,
    regionSet: signed.headers["x-amz-region-set"],
  };
}

out.direct = {};
for (const set of ["us-east-1", "us-*,eu-west-1", "eu-*"]) out.direct[set] = await signedCall(set);

// 3. Session credentials, obtained over SigV4, used with SigV4a.
const plain = new STSClient({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 });
const session = (await plain.send(new GetSessionTokenCommand({}))).Credentials;
out.session = await signedCall("*", {
  accessKeyId: session.AccessKeyId,
  secretAccessKey: session.SecretAccessKey,
  sessionToken: session.SessionToken,
});

console.log(JSON.stringify(out));
