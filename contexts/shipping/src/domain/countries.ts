// Where shipping delivers: a business decision kept as data, so serving a new country is
// one line here (and its README row). Codes are ISO 3166-1 alpha-2.
export const SUPPORTED_COUNTRIES: readonly string[] = ['DE', 'FR', 'NL', 'BE', 'AT', 'ES', 'IT', 'PL', 'SE', 'DK', 'IE', 'PT'];

/** A country as given ('de', ' NL ') in the form it is recorded and compared in. */
export const normalCountry = (country: string): string => country.trim().toUpperCase();

export const isSupportedCountry = (country: string): boolean => SUPPORTED_COUNTRIES.includes(normalCountry(country));
