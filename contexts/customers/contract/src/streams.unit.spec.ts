import { createHash } from 'node:crypto';
import { COUNTRY_CODES, CountryCode, customerStream, emailReservationStream, normalizeEmail } from './index';

describe('customers contract', () => {
  it('reserves an email under one stream whatever its case and surrounding blanks: the sha256 hex of its lower-cased form', () => {
    const expected = `customer-email-${createHash('sha256').update('alice@example.com').digest('hex')}`;
    expect(emailReservationStream('alice@example.com')).toBe(expected);
    expect(emailReservationStream('  Alice@EXAMPLE.com\t')).toBe(expected);
    expect(emailReservationStream('alice2@example.com')).not.toBe(expected);
    expect(normalizeEmail(' Bob@Example.COM ')).toBe('bob@example.com');
  });

  it('names a customer stream within the store prefix, apart from every reservation stream', () => {
    expect(customerStream('42')).toBe('customer-42');
    expect(emailReservationStream('x@example.com')).toMatch(/^customer-email-[0-9a-f]{64}$/);
  });

  it('knows the 249 assigned country codes, and refuses reserved and lower-case ones', () => {
    expect(new Set(COUNTRY_CODES).size).toBe(249);
    for (const code of ['DE', 'GB', 'US', 'AX', 'SS']) expect(CountryCode.safeParse(code).success).toBe(true);
    for (const code of ['UK', 'EU', 'XK', 'ZZ', 'de', 'DEU', '']) expect(CountryCode.safeParse(code).success).toBe(false);
  });
});
