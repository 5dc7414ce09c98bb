// The operator, described once: src/main.ts runs it, and `operant generate`
// reads it to write config/ (CRDs, RBAC, the manager Deployment).
// `operant create api` adds resources and controllers to the lists below.
import { defineOperator } from "operant";
import { Memcached } from "./api/memcached.ts";
import { memcachedController } from "./controllers/memcached.ts";

export default defineOperator({
  name: "memcached-operator",
  resources: [Memcached],
  controllers: [memcachedController],
});
