// Map state shared with other screens.
import { createStore } from "../store";

/** Show the "move the map, then list outlets here" hint (the user came from Nearby). */
export const mapHintStore = createStore(false);

/** Where the map was last left: it opens there again. */
export const mapViewStore = createStore<{ lat: number; lon: number; zoom: number } | null>(null);
