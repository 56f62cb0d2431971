// A link that opens navigation to a place in the phone's maps app.

/** Android hands geo: URIs to the navigation app of the user's choice; elsewhere OpenStreetMap's directions. */
export function directionsHref(lat: number, lon: number, name: string, userAgent: string | null = null): string {
  const at = `${lat},${lon}`;
  const agent = userAgent ?? (typeof navigator !== "undefined" ? navigator.userAgent : "");
  if (/Android/i.test(agent)) return `geo:${at}?q=${at}(${encodeURIComponent(name)})`;
  return `https://www.openstreetmap.org/directions?to=${encodeURIComponent(at)}`;
}
