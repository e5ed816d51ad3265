import type { PostalAddress } from './types';

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** Returns the English name of an ISO 3166-1 alpha-2 code ("US" → "United States"), or the code itself when unknown. */
export function countryName(code: string): string {
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}

/**
 * Formats an address as printed lines. With a region the city line takes the North American form
 * ("Columbus, OH 43215"); without one it takes the European form ("75008 Paris").
 */
export function formatAddress(address: PostalAddress): string[] {
  const lines = [address.line1];
  if (address.line2) lines.push(address.line2);
  lines.push(
    address.region ? `${address.city}, ${address.region} ${address.postalCode}` : `${address.postalCode} ${address.city}`,
  );
  lines.push(countryName(address.country));
  return lines;
}
