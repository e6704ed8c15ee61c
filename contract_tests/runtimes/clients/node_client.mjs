// A Lambda runtime client for Node.js handlers (18 or newer): async handlers, callbacks, context.done,
// CommonJS and ES modules. npm's aws-lambda-ric needs a native build and Node 22, so the harness
// ships this one, built on node:http alone.
import http from "node:http";
import fs from "node:fs";
import nodeModule from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [apiHost, apiPort] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
const PREFIX = "/2018-06-01/runtime";
const END_OF_OUTPUT = "\x1econnect-contract:end ";
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function call(method, route, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: apiHost, port: Number(apiPort), method, path: PREFIX + route, agent, headers },
      (response) => {
        const chunks = [];
        response.on("data", (chunk) => chunks.push(chunk));
        response.on("end", () => resolve({ headers: response.headers, body: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    request.on("error", reject);
    if (body !== undefined) request.write(body);
    request.end();
  });
}

function errorBody(error, errorType) {
  const err = error instanceof Error ? error : new Error(String(error));
  const root = process.env.LAMBDA_TASK_ROOT || "/";
  const frames = String(err.stack || "").split("\n").slice(1).map((line) => line.trim().replace(/^at /, ""));
  const own = frames.filter((line) => line.includes(root) && !line.includes("node_modules"));
  return JSON.stringify({
    errorType: errorType || err.name || "Error",
    errorMessage: errorType ? `${err.name}: ${err.message}` : err.message,
    stackTrace: (own.length ? own : frames).reverse(),
  });
}

function postJson(route, body, errorType) {
  const headers = { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) };
  if (errorType) headers["Lambda-Runtime-Function-Error-Type"] = errorType;
  return call("POST", route, body, headers);
}

// Lambda's reading of _HANDLER: the file is named up to the first dot of its last part, the rest is the
// path to the function among the module's exports ("index.handlers.connect"). A file whose own name has
// a dot, which Lambda cannot name, is found by the last dot, as the gate's file targets name it.
function moduleAndFunction(spec, root) {
  const base = spec.lastIndexOf("/") + 1;
  for (const dot of [spec.indexOf(".", base), spec.lastIndexOf(".")]) {
    const modulePath = spec.slice(0, dot);
    const file = [".js", ".mjs", ".cjs"].map((suffix) => path.join(root, modulePath + suffix)).find((f) => fs.existsSync(f));
    if (dot > base && file) return { file, name: spec.slice(dot + 1) };
  }
  return { modulePath: spec.slice(0, spec.indexOf(".", base)) };
}

async function loadHandler() {
  const root = process.env.LAMBDA_TASK_ROOT;
  const { file, name, modulePath } = moduleAndFunction(process.env._HANDLER, root);
  if (!file) {
    const message = `no file '${modulePath}.js', '.mjs' or '.cjs' in ${root}`;
    await postJson("/init/error", JSON.stringify({ errorType: "Runtime.HandlerNotFound", errorMessage: message }));
    process.exit(1);
  }
  let loaded;
  try {
    loaded = await import(pathToFileURL(file).href);
  } catch (error) {
    // Lambda's types, as its runtime names them: its own for a syntax error or a module not found, else the error's.
    const missing = error?.code === "ERR_MODULE_NOT_FOUND" || error?.code === "MODULE_NOT_FOUND";
    const kind =
      error instanceof SyntaxError ? "Runtime.UserCodeSyntaxError" : missing ? "Runtime.ImportModuleError" : undefined;
    await postJson("/init/error", errorBody(error, kind), kind ?? error?.name ?? "Error");
    process.exit(1);
  }
  const resolve = (exported) => name.split(".").reduce((nested, key) => nested?.[key], exported);
  const handler = resolve(loaded) ?? resolve(loaded.default);
  if (typeof handler !== "function") {
    const exported = [...new Set([...Object.keys(loaded), ...Object.keys(loaded.default ?? {})])];
    const functions = exported.filter((key) => typeof (loaded[key] ?? loaded.default?.[key]) === "function").sort();
    const listed = functions.length ? ` (it exports the functions ${functions.join(", ")})` : " (it exports no function)";
    const message = `module has no function '${name}'${listed}`;
    await postJson("/init/error", JSON.stringify({ errorType: "Runtime.HandlerNotFound", errorMessage: message }));
    process.exit(1);
  }
  return handler;
}

function context(headers) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"]);
  return {
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

// What to do when the event loop has nothing left to run (Node.js's "beforeExit"), for this invocation.
let onEmptyEventLoop = null;
process.on("beforeExit", () => {
  const then = onEmptyEventLoop;
  onEmptyEventLoop = null;
  if (then) then();
});

function isError(value) {
  return value !== undefined && value !== null;
}

// As Lambda's Node.js runtime (18 to 22) does: every handler is called with (event, context, callback),
// and the first of these answers: the promise it returns, context.done/succeed/fail, or the callback,
// which answers once the event loop is empty unless context.callbackWaitsForEmptyEventLoop is false.
// A handler that returns no promise and never answers gets null when the loop empties; an async one, an error.
function run(handler, event, ctx) {
  return new Promise((resolve, reject) => {
    let answered = false;
    const answer = (error, result) => {
      if (answered) return;
      answered = true;
      onEmptyEventLoop = null;
      if (isError(error)) reject(error);
      else resolve(result);
    };
    let waits = true;
    Object.defineProperty(ctx, "callbackWaitsForEmptyEventLoop", {
      get: () => waits,
      set: (value) => {
        waits = value;
      },
      enumerable: true,
    });
    // Only the first call of any of them counts: an async handler that called its callback is not
    // answered again, with undefined, when its promise resolves.
    let called = false;
    const first =
      (answering) =>
      (...args) => {
        if (called) return;
        called = true;
        answering(...args);
      };
    ctx.done = first((error, result) => answer(error, result));
    ctx.succeed = first((result) => answer(null, result));
    ctx.fail = first((error) => answer(isError(error) ? error : "handled"));
    const callback = first((error, result) => {
      if (isError(error) || !waits) answer(error, result);
      else onEmptyEventLoop = () => setImmediate(() => answer(null, result));
    });
    onEmptyEventLoop =
      handler.constructor?.name === "AsyncFunction"
        ? () => answer(Object.assign(new Error("Runtime exited without providing a reason"), { name: "Runtime.NodeJsExit" }))
        : () => answer(null, null);
    let result;
    try {
      result = handler(event, ctx, callback);
    } catch (error) {
      callback(error);
      return;
    }
    if (result && typeof result.then === "function") {
      result.then(ctx.succeed, ctx.fail);
    }
  });
}

function endOutput(requestId) {
  process.stdout.write(END_OF_OUTPUT + requestId + "\n");
}

const searched = (process.env.NODE_PATH || "").split(path.delimiter).filter(Boolean);
// Asked for by the gate once a handler needed it (the hook's thread costs each start): as Lambda's runtime
// does, ES modules search NODE_PATH too. module.register is Node.js 18.19 and 20.6 on.
if (process.argv.includes("--imports-search-node-path") && typeof nodeModule.register === "function") {
  nodeModule.register("./node_path_hook.mjs", import.meta.url, { data: { folders: searched } });
}
const handler = await loadHandler();
for (;;) {
  const next = await call("GET", "/invocation/next");
  const requestId = next.headers["lambda-runtime-aws-request-id"];
  // As Lambda's runtime does, for the X-Ray SDK (Powertools' Tracer) to find the invocation's trace.
  if (next.headers["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = next.headers["lambda-runtime-trace-id"];
  else delete process.env._X_AMZN_TRACE_ID;
  let body;
  try {
    const result = await run(handler, JSON.parse(next.body), context(next.headers));
    body = JSON.stringify(result === undefined ? null : result);
  } catch (error) {
    endOutput(requestId);
    await postJson(`/invocation/${requestId}/error`, errorBody(error), "Unhandled");
    continue;
  }
  endOutput(requestId);
  await postJson(`/invocation/${requestId}/response`, body);
}
