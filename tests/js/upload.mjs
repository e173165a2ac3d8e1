// A tablet app's upload with tus-js-client (Node 20): chunks, an abort at ABORT_AT of the file,
// then a new Upload resumed from the stored URL. Prints one JSON line: what happened.
// env: ENDPOINT, TOKEN, FILE, SHA256, FILETYPE, CHUNK_SIZE, ABORT_AT (0..1, 0 = no abort).
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import * as tus from "tus-js-client";

const env = process.env;
const data = readFileSync(env.FILE);
const abortAt = Number(env.ABORT_AT || 0) * data.length;
const patchOffsets = [];
let requests = 0;

function options(extra) {
  return {
    endpoint: env.ENDPOINT,
    headers: { Authorization: `Token ${env.TOKEN}` },
    metadata: { sha256: env.SHA256, filename: basename(env.FILE), filetype: env.FILETYPE },
    chunkSize: Number(env.CHUNK_SIZE),
    retryDelays: [0, 50, 100, 200, 400, 800, 1000, 1000, 1000, 1000],
    uploadDataDuringCreation: true,
    onBeforeRequest(req) {
      requests += 1;
      if (req.getMethod() === "PATCH") patchOffsets.push(Number(req.getHeader("Upload-Offset")));
    },
    ...extra,
  };
}

function run(extra) {
  return new Promise((resolve, reject) => {
    const upload = new tus.Upload(
      data,
      options({
        onError: reject,
        onSuccess: () => resolve({ url: upload.url, done: true }),
        onChunkComplete(_size, accepted) {
          if (abortAt && accepted >= abortAt && !extra.uploadUrl) {
            upload.abort().then(() => resolve({ url: upload.url, done: false, accepted }));
          }
        },
        ...extra,
      }),
    );
    upload.start();
  });
}

const first = await run({});
let result = { first };
if (!first.done) {
  const resumedAt = patchOffsets.length;
  const second = await run({ uploadUrl: first.url });
  result = { first, second, resumedFrom: patchOffsets[resumedAt] ?? null };
}
console.log(JSON.stringify({ ...result, patchOffsets, requests }));
