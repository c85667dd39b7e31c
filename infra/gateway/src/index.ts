export { gatewayService, type GatewayOptions } from './service';
export { ROUTED_METHODS, methodsOf, routeFor, routesFromEnv, tableErrors, type GatewayRoute, type RoutedMethod } from './routes';
