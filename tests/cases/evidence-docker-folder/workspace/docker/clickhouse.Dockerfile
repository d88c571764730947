FROM clickhouse/clickhouse-server:24.8
COPY docker/clickhouse/config.xml /etc/clickhouse-server/config.d/
