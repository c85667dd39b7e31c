import { withinStore } from './filters';

describe('withinStore', () => {
  it("applies the store's prefixes to a read that names none, keeping its types", () => {
    expect(withinStore(undefined, ['order-'])).toEqual({ streamPrefixes: ['order-'] });
    expect(withinStore({ eventTypes: ['OrderPlaced'] }, ['order-'])).toEqual({ streamPrefixes: ['order-'], eventTypes: ['OrderPlaced'] });
  });

  it('narrows a read to the streams the store owns, never widening it', () => {
    expect(withinStore({ streamPrefixes: ['order-42'] }, ['order-'])).toEqual({ streamPrefixes: ['order-42'] });
    expect(withinStore({ streamPrefixes: ['o'] }, ['order-', 'stock-'])).toEqual({ streamPrefixes: ['order-'] });
    expect(withinStore({ streamPrefixes: ['order-1', 'stock-'] }, ['order-'])).toEqual({ streamPrefixes: ['order-1'] });
  });

  it("admits nothing when the read asks only for another context's streams", () => {
    expect(withinStore({ streamPrefixes: ['stock-'] }, ['order-'])).toEqual({ streamPrefixes: [] });
  });

  it('leaves the filter as it is for a store that owns every stream', () => {
    expect(withinStore({ streamPrefixes: ['stock-'], eventTypes: ['StockReserved'] }, undefined)).toEqual({
      streamPrefixes: ['stock-'],
      eventTypes: ['StockReserved'],
    });
    expect(withinStore(undefined, undefined)).toEqual({});
  });
});
