import "@xterm/xterm/css/xterm.css";
import "./app.css";
import { mount } from "svelte";
import App from "./App.svelte";
import { exposePerf } from "./lib/perf.js";

exposePerf();
const target = document.getElementById("app");
if (!target) throw new Error("index.html lacks #app");
mount(App, { target });
