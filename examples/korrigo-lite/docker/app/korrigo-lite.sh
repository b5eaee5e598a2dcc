#!/bin/sh
# `korrigo-lite <cmd>` inside the image, for `docker compose exec -T backend korrigo-lite …`.
exec node /app/dist/cli.js "$@"
