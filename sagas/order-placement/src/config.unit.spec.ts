import { ConfigError, loadConfig } from '@ordo/runtime';
import { orderPlacementConfigShape } from './service';
import { orderPlacement, orderPlacementVersion, orderPlacementVersions } from './versions';

// ORDO_ORDER_PLACEMENT_VERSION picks the version new instances start on, read when the service is created.
const versionIn = (env: NodeJS.ProcessEnv) => loadConfig('sagas', orderPlacementConfigShape, env).ORDO_ORDER_PLACEMENT_VERSION;

describe('the version new order-placement instances start on', () => {
  it('is version 1 unless told otherwise', () => {
    expect(orderPlacement.version).toBe(1);
    expect(versionIn({})).toBe(1);
    expect(versionIn({ ORDO_ORDER_PLACEMENT_VERSION: '' })).toBe(1);
  });

  it('is any version the service registers, by its number', () => {
    for (const { version } of orderPlacementVersions) {
      expect(versionIn({ ORDO_ORDER_PLACEMENT_VERSION: String(version) })).toBe(version);
      expect(orderPlacementVersion(version).version).toBe(version);
    }
  });

  it('refuses to start on anything else, naming the variable and the versions there are', () => {
    const versions = orderPlacementVersions.map((each) => each.version).join(', ');
    for (const value of ['3', '0', 'two', '1.0', ' 1'])
      expect(() => versionIn({ ORDO_ORDER_PLACEMENT_VERSION: value })).toThrow(
        new ConfigError('sagas', [
          { variable: 'ORDO_ORDER_PLACEMENT_VERSION', problem: `expected one of the versions of order placement: ${versions} (got ${JSON.stringify(value)})` },
        ]),
      );
    expect(() => orderPlacementVersion(3)).toThrow(`order placement has no version 3: its versions are ${versions}`);
  });
});
