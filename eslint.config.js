import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { importX } from "eslint-plugin-import-x";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import { readdirSync } from "node:fs";

const SERVICES = readdirSync(new URL("./services", import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

const NATS = {
  group: ["@nats-io/*"],
  message: "Only packages/bus touches NATS: use its typed buckets, serve/request and live helpers.",
};
const any = (names) => names.join("|");

/** Another service by package name; `allowTesting` lets its `/testing` export through. */
const otherService = (others, allowTesting) => ({
  regex: `^@corral/(${any(others)})${allowTesting ? "(?!/testing$)" : ""}(/.*)?$`,
  message: allowTesting
    ? "A service's tests reach another service only through its `@corral/<service>/testing` export."
    : "Services never import one another: talk over the bus (tests may use `@corral/<service>/testing`).",
});
/** Relative paths out of this service into another one: `../../<service>/…` or `…/services/<service>/…`. */
const intoOtherService = (others) => ({
  regex: `^\\.\\.?/(.*/)?(\\.\\./(${any(others)})|services/(${any(others)}))(/|$)`,
  message: "Services never import one another, not even by relative path.",
});

const NO_SERVICES = [
  { regex: `^@corral/(${any(SERVICES)})(/.*)?$`, message: "Packages never import services." },
  { regex: "^\\.\\.?/(.*/)?services/", message: "Packages never import services." },
];

const restrict = (patterns) => ({ "no-restricted-imports": ["error", { patterns }] });

function serviceBoundaries(service) {
  const others = SERVICES.filter((s) => s !== service);
  return [
    {
      files: [`services/${service}/**/*.ts`],
      rules: restrict([NATS, otherService(others, false), intoOtherService(others)]),
    },
    {
      files: [`services/${service}/**/*.test.ts`, `services/${service}/src/testing.ts`],
      rules: restrict([NATS, otherService(others, true), intoOtherService(others)]),
    },
  ];
}

const boundaries = [
  { files: ["**/*.ts"], rules: restrict([NATS]) },
  {
    files: ["**/*.ts"],
    ignores: ["packages/bus/**"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "MemberExpression[property.name='nc']",
          message: "Only packages/bus touches the raw NATS connection (`bus.nc`); add what you need there.",
        },
      ],
    },
  },
  { files: ["packages/**/*.ts"], rules: restrict([NATS, ...NO_SERVICES]) },
  { files: ["packages/bus/**/*.ts"], rules: restrict(NO_SERVICES) },
  ...SERVICES.flatMap(serviceBoundaries),
  {
    files: ["test/**/*.ts", "bench/**/*.ts"],
    rules: restrict([
      NATS,
      {
        regex: "^\\.\\.?/(.*/)?(services|packages)/",
        message: "test/ and bench/ import packages and services by name (e.g. `@corral/harness/testing`).",
      },
    ]),
  },
];

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "docs/**",
      ".corral/**",
      "**/*.js",
      "**/*.mjs",
      "**/*.py",
      "vitest.config.ts",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    plugins: { "import-x": importX },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    settings: {
      // How import-x reads a dependency to follow it (for no-cycle): TypeScript files with the TS parser.
      "import-x/extensions": [".ts", ".js", ".mjs"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
      // Our own packages are followed; third-party ones are not (no cycle can pass through them).
      "import-x/internal-regex": "^@corral/",
      "import-x/resolver-next": [
        createTypeScriptImportResolver({
          noWarnOnMultipleProjects: true,
          project: [
            "packages/*/tsconfig.json",
            "services/*/tsconfig.json",
            "test/tsconfig.json",
            "bench/tsconfig.json",
          ],
        }),
      ],
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": [
        "error",
        { considerDefaultExhaustiveForUnions: true },
      ],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "no-console": "error",
    },
  },
  ...boundaries,
  {
    files: ["bench/**/*.ts", "packages/*/scripts/**/*.ts", "**/*.test.ts"],
    rules: { "no-console": "off" },
  },
);
