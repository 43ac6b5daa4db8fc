/** Drover's release version, reported by -version and in the HTTP index page. */
export const VERSION = "0.1.0";
