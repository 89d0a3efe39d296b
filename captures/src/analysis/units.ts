/** Small formatting helpers shared by the analysis passes. */

/** "ip:port", with IPv6 addresses in brackets (RFC 3986 §3.2.2). */
export function hostPort(ip: string, port: number): string {
  return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Seconds (or any unit) rounded to three decimals for the model: milliseconds precision. */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
