// Rayon deployment settings, read by the app at start (window.RAYON_CONFIG). Replace this
// file on the server to change them without rebuilding; every key is optional:
//
//   apiBase          where the API is                       default "/api/v1"
//   tileUrl          map tile URL template, "" for none     default OpenStreetMap's tiles
//   tileAttribution  HTML credit shown on the map           default "© OpenStreetMap contributors"
//   tileMaxZoom      highest zoom the tiles have            default 19
//
// For example:
//   window.RAYON_CONFIG = { tileUrl: "https://tiles.example.com/{z}/{x}/{y}.png",
//                           tileAttribution: "© OpenStreetMap contributors, © Example" };
window.RAYON_CONFIG = window.RAYON_CONFIG || {};
