# V-Insight core: local stack, service and tests. `make up` and `make test` do all set-up.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

LOCAL := .local
PORT ?= 3000

# Local defaults; any of them can be overridden from the environment.
export DATABASE_URL ?= postgres://vinsight_owner@127.0.0.1:5432/vinsight
export PROJECTOR_DATABASE_URL ?= postgres://vinsight_projector@127.0.0.1:5432/vinsight
export API_DATABASE_URL ?= postgres://vinsight_api@127.0.0.1:5432/vinsight
export REPLICA_DATABASE_URL ?= postgres://vinsight_api@127.0.0.1:5433/vinsight
export KAFKA_BROKERS ?= 127.0.0.1:9092

.PHONY: help install build up down stack-up stack-down service-start service-stop test \
        migrate-create migrate-up migrate-down migrate-version migrate-force kafka-start kafka-stop broker-metrics \
        postgres-setup replica-start replica-stop chromium-install keys-rotate secure-up secure-down test-secure cluster-up cluster-down cluster-status

help: ## list the verbs
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

install: ## npm ci when package-lock.json changed since the last install (also generates the Prisma client)
	@if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  npm ci --no-audit --no-fund; fi

build: install ## compile TypeScript into dist/
	npm run build --silent

kafka-start: ## fetch the broker's jars from Maven Central (once) and start a KRaft broker on 127.0.0.1:9092
	deploy/local/kafka/fetch.sh
	deploy/local/kafka/start.sh

chromium-install: ## Debian's chromium for the stream's browser test (once; apt-get as root or with sudo)
	deploy/local/chromium.sh

kafka-stop: ## stop the broker by its pid
	deploy/local/kafka/stop.sh

broker-metrics: ## the local broker's CPU by thread group, requests/s and broker-side request times over BROKER_METRICS_SECONDS (20), e.g. during a bench
	deploy/local/kafka/metrics.sh

postgres-setup: ## start the primary if needed, create the databases and roles
	deploy/local/postgres/setup.sh

replica-start: postgres-setup ## create (once) and start the streaming replica on 127.0.0.1:5433
	deploy/local/postgres/replica-start.sh

replica-stop: ## stop the streaming replica
	deploy/local/postgres/replica-stop.sh

stack-up: install kafka-start replica-start chromium-install ## everything the service and the tests need

stack-down: kafka-stop replica-stop ## stop what stack-up started (the machine's own Postgres keeps running)

service-start: build ## start all roles in one process in the background, wait until healthy
	deploy/local/service.sh start $(PORT)

keys-rotate: ## rotate the local key-encryption key (restart the service, then npm run cli -- projections keys rewrap)
	deploy/local/personal-data-keys.sh rotate

service-stop: ## stop the background service by its pid
	deploy/local/service.sh stop

up: stack-up migrate-up service-start ## install, start Kafka + Postgres replica, migrate, run the service
	@echo
	@echo "V-Insight core is running (all roles, pid $$(cat $(LOCAL)/service.pid)):"
	@echo "  liveness   http://127.0.0.1:$(PORT)/health/live"
	@echo "  readiness  http://127.0.0.1:$(PORT)/health/ready"
	@echo "  startup    http://127.0.0.1:$(PORT)/health/startup"
	@echo "  Kafka      127.0.0.1:9092 (topics prefixed $${KAFKA_TOPIC_PREFIX:-vinsight.})"
	@echo "  Postgres   127.0.0.1:5432 (primary), 127.0.0.1:5433 (replica), database vinsight"
	@echo "  logs       $(LOCAL)/service.log, $(LOCAL)/kafka/kafka.log"
	@echo "Stop everything with: make down"

down: service-stop stack-down ## stop the service, Kafka and the replica

cluster-up: build replica-start ## three Kafka brokers (29092-29094, replication 3, min.insync 2) and two instances of every role (.local/cluster/)
	deploy/local/cluster.sh up
	@echo "Read APIs: http://127.0.0.1:3121 and http://127.0.0.1:3122; Kafka: 127.0.0.1:29092,127.0.0.1:29093,127.0.0.1:29094"

cluster-down: ## stop the cluster's role instances and brokers by their pids
	deploy/local/cluster.sh down

cluster-status: ## pids and readiness of the cluster's brokers and instances
	deploy/local/cluster.sh status

test: ## install, bring up what the tests need, run unit + integration + e2e tests, then test-secure, tear down
	deploy/local/run-tests.sh

secure-up: install ## a SASL_SSL (SCRAM-SHA-512) broker on 127.0.0.1:9292 and a TLS-only Postgres on 5460 with its replica on 5461, beside make up's stack
	deploy/local/secure/kafka-start.sh
	deploy/local/secure/postgres-start.sh
	@echo
	@echo "Secured stack up (CA and passwords in $(LOCAL)/secure). Point the service or the tests at it with:"
	@echo "  source <(deploy/local/secure/env.sh)          # database vinsight; env.sh vinsight_test for the tests"

secure-down: ## stop the secured broker, Postgres cluster and replica (SECURE_DROP=1 also drops the clusters)
	deploy/local/secure/kafka-stop.sh
	deploy/local/secure/postgres-stop.sh

test-secure: build ## the e2e subset and the start-up checks against the secured stack (started and stopped here)
	deploy/local/run-secure-tests.sh

migrate-create: build ## new pair of migration files: make migrate-create name=add_something
	npm run --silent migrate -- create $(name)

migrate-up: build postgres-setup ## apply pending migrations (N=… for only the next N)
	npm run --silent migrate -- up $(N)

migrate-down: build ## revert one migration (N=… for N, N=all for all)
	npm run --silent migrate -- down $(or $(N),1)

migrate-version: build ## print the schema version and whether it is dirty
	npm run --silent migrate -- version

migrate-force: build ## clear a dirty state: make migrate-force version=N
	npm run --silent migrate -- force $(version)
