#!/usr/bin/env bash
# Compose mode (docs/deploying.md): the shop's event and command topics, made once before any
# service starts, as local mode's supervisor makes them (topicsOf in @ordo/host): event
# topics keep every record (they are the replay source), command topics a week. Each
# consumer makes its own dead-letter topic. infra/cli/test/compose.unit.spec.ts checks
# this list against the shop's.
set -euo pipefail
BOOTSTRAP="${1:?usage: kafka-topics.sh <bootstrap server>}"
FOREVER=-1
WEEK=604800000

# <topic> <partitions> <retention.ms>
topic() {
  /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
    --topic "$1" --partitions "$2" --replication-factor 1 --config "retention.ms=$3"
}

topic ordo.catalog.events 3 "$FOREVER"
topic ordo.inventory.events 3 "$FOREVER"
topic ordo.inventory.commands 3 "$WEEK"
topic ordo.orders.events 3 "$FOREVER"
topic ordo.orders.commands 3 "$WEEK"
topic ordo.sagas.events 3 "$FOREVER"
topic ordo.customers.events 3 "$FOREVER"
topic ordo.payments.events 3 "$FOREVER"
topic ordo.payments.commands 3 "$WEEK"
topic ordo.shipping.events 3 "$FOREVER"
topic ordo.shipping.commands 3 "$WEEK"
