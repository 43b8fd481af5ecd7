-- One database per service (no service reads another's tables); each service creates
-- its own tables by migrating at start. Runs once, when the data directory is new.
CREATE DATABASE payroute_gateway_api;
CREATE DATABASE payroute_webhook_ingest;
CREATE DATABASE payroute_reconciliation;
CREATE DATABASE payroute_orchestrator;
CREATE DATABASE payroute_provider_worker;
CREATE DATABASE payroute_metrics_exporter;
