// Runs tests/lite_standin.py inside real Pyodide under Node (see tests/test_excel_lite.py).
// usage: node pyodide_run.mjs PYODIDE_DIR MAIN_PY SNAPSHOT_JSON STANDIN_PY
import { readFileSync } from "fs";
import { pathToFileURL } from "url";
import path from "path";

const [dir, mainPy, snapshot, standin] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(dir, "pyodide.mjs")).href);
const py = await loadPyodide({ indexURL: dir + path.sep });
const report = { pyodide: py.version };
// loadPackage reports a wheel it cannot fetch through errorCallback, without rejecting
const errors = [];
try {
  await py.loadPackage("numpy", { messageCallback: () => {},
                                  errorCallback: (message) => errors.push(message) });
} catch (error) {
  errors.push(String(error));
}
if (!py.runPython("import importlib.util; importlib.util.find_spec('numpy') is not None")) {
  report.numpy_error = (errors.join(" ") || "numpy not loaded").slice(0, 300);
}
for (const [name, file] of [["main.py", mainPy], ["snapshot.json", snapshot],
                            ["lite_standin.py", standin]]) {
  py.FS.writeFile(`/home/pyodide/${name}`, readFileSync(file, "utf8"));
}
report.bootstrap = JSON.parse(py.runPython(`
import json, sys, importlib.resources, tomllib
source = open("/home/pyodide/main.py").read()
exec(compile(source.split("import xlwings as xw")[0], "main.py", "exec"), {"__name__": "main"})
import calculator, calculator.excel.lite
rates = importlib.resources.files("calculator").joinpath("rates.toml").read_text(encoding="utf-8")
json.dumps({"python": sys.version.split()[0], "calculator_from": calculator.__file__,
            "rates_parsed": bool(tomllib.loads(rates))})
`));
if (!report.numpy_error) {
  const run = py.runPython(`
import contextlib, io, runpy, sys
sys.argv = ["lite_standin.py", "/home/pyodide/main.py", "/home/pyodide/snapshot.json", "/tmp"]
out = io.StringIO()
with contextlib.redirect_stdout(out):
    runpy.run_path("/home/pyodide/lite_standin.py", run_name="__main__")
out.getvalue()
`);
  report.run = JSON.parse(run.trim().split("\n").pop());
}
console.log(JSON.stringify(report));
