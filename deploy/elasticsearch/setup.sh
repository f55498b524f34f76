#!/usr/bin/env bash
# One-off set-up of the cluster of deploy/compose.yml: a certificate authority and one
# certificate per node (transport and HTTPS), then, once es01 answers, the password of the
# `guichet` user and its role (manage and use the guichet-programmes* indices and alias).
set -euo pipefail
cd /usr/share/elasticsearch
if [ ! -f config/certs/ca.zip ]; then
  bin/elasticsearch-certutil ca --silent --pem -out config/certs/ca.zip
  unzip -o config/certs/ca.zip -d config/certs
fi
if [ ! -f config/certs/certs.zip ]; then
  cat > config/certs/instances.yml <<YAML
instances:
  - {name: es01, dns: [es01, localhost], ip: [127.0.0.1]}
  - {name: es02, dns: [es02, localhost], ip: [127.0.0.1]}
  - {name: es03, dns: [es03, localhost], ip: [127.0.0.1]}
YAML
  bin/elasticsearch-certutil cert --silent --pem -out config/certs/certs.zip --in config/certs/instances.yml \
    --ca-cert config/certs/ca/ca.crt --ca-key config/certs/ca/ca.key
  unzip -o config/certs/certs.zip -d config/certs
fi
chown -R 1000:0 config/certs
find config/certs -type d -exec chmod 750 {} \; ; find config/certs -type f -exec chmod 640 {} \;
until curl -fs --cacert config/certs/ca/ca.crt -u "elastic:${ELASTIC_PASSWORD}" https://es01:9200 >/dev/null; do sleep 5; done
curl -fs --cacert config/certs/ca/ca.crt -u "elastic:${ELASTIC_PASSWORD}" -H 'Content-Type: application/json' \
  -X POST https://es01:9200/_security/role/guichet -d '{
    "cluster": ["monitor"],
    "indices": [{"names": ["guichet-programmes*"], "privileges": ["all"]}]}'
curl -fs --cacert config/certs/ca/ca.crt -u "elastic:${ELASTIC_PASSWORD}" -H 'Content-Type: application/json' \
  -X POST https://es01:9200/_security/user/guichet -d "{\"password\": \"${ELASTIC_GUICHET_PASSWORD}\", \"roles\": [\"guichet\"]}"
echo "cluster set up"
