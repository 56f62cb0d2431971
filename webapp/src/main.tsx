import { render } from "preact";
import { configureApi } from "./api/client";
import { App } from "./app";
import { config } from "./config";
import { startConnectivity } from "./connectivity";
import { startRouter } from "./router";
import { startServiceWorker } from "./serviceWorker";
import { startSession } from "./session";
import "./styles.css";

configureApi({ baseUrl: config.apiBase });
startRouter();
startConnectivity();
startServiceWorker();
startSession();
render(<App />, document.getElementById("app")!);
