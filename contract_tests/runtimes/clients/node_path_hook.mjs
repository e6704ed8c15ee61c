// Lambda's Node.js runtimes (18 and later) search NODE_PATH for ES modules too, after the function's own
// node_modules: that is how an index.mjs imports the SDK the runtime includes. Node.js itself searches
// NODE_PATH for require() alone; this resolve hook adds the same search to import.
import path from "node:path";
import { pathToFileURL } from "node:url";

let folders = [];

export function initialize(data) {
  folders = data.folders.map((folder) => path.resolve(folder));
}

function isBare(specifier) {
  return !/^[./]/.test(specifier) && !/^[a-zA-Z][a-zA-Z\d+.-]*:/.test(specifier);
}

async function fromFolder(folder, specifier, context, nextResolve) {
  const inside = pathToFileURL(folder + path.sep).href;
  // A folder named node_modules holds packages: resolved as if imported from a file inside it, so that
  // each package's "exports" applies. Any other folder holds files named from it (Lambda's /var/task).
  const parentURL = pathToFileURL(path.join(folder, "__node_path__.mjs")).href;
  const found =
    path.basename(folder) === "node_modules"
      ? await nextResolve(specifier, { ...context, parentURL })
      : await nextResolve(pathToFileURL(path.join(folder, specifier)).href, context);
  return found.url.startsWith(inside) ? found : undefined;
}

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (error?.code !== "ERR_MODULE_NOT_FOUND" || !isBare(specifier)) throw error;
    for (const folder of folders) {
      try {
        const found = await fromFolder(folder, specifier, context, nextResolve);
        if (found) return found;
      } catch {
        // not in this folder: the next one, then the first error
      }
    }
    throw error;
  }
}
