// Print the payload of a status list of the mandate words (or a revocation or suspension
// list) exactly as libro_status_list_sign writes one, for cli_run.sh to sign with
// `libro jws sign`: the CLI cannot publish a roundtable's lists from a shell yet.
// Usage: node mandate_list.mjs URL ISSUER PURPOSE INDEX VALUE
// The list is valid from now (to the millisecond) for 7 days; VALUE is the status at INDEX.
import { gzipSync } from "node:zlib";

const [url, issuer, purpose, index, value] = process.argv.slice(2);
const size = purpose === "message" ? 2 : 1;
const entries = 131072;
const bits = Buffer.alloc((entries * size) / 8);
const v = Number(value);
for (let b = 0; b < size; b++) {
  // Bit 0 is the most significant bit of byte 0; a status's bits in order, high first.
  if (v & (1 << (size - 1 - b))) {
    const pos = Number(index) * size + b;
    bits[pos >> 3] |= 0x80 >> (pos & 7);
  }
}
const encoded = "u" + gzipSync(bits, { level: 9 }).toString("base64url");
const now = new Date();
const until = new Date(now.getTime() + 7 * 86400 * 1000);
const subject = {
  id: url + "#list",
  type: "BitstringStatusList",
  statusPurpose: purpose,
  encodedList: encoded,
};
if (purpose === "message") {
  subject.statusSize = 2;
  subject.statusMessage = ["in office", "resigned", "recalled", "replaced"].map((m, i) => ({
    status: "0x" + i,
    message: m,
  }));
}
process.stdout.write(
  JSON.stringify({
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    id: url,
    type: ["VerifiableCredential", "BitstringStatusListCredential"],
    issuer,
    validFrom: now.toISOString(),
    validUntil: until.toISOString().replace(/\.\d{3}Z$/, "Z"),
    credentialSubject: subject,
  }),
);
