// Runs the AppConfig operator: `npm start -- --watch-namespace default`.
import { runOperator } from "operant";
import operator from "./operator.ts";

await runOperator(operator, { argv: process.argv, env: process.env, exitOnFailure: true });
