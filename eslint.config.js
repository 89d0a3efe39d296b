// ESLint flat config: typescript-eslint recommended (type-aware where cheap), no `any` in protocol/.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      "allure-results/**",
      "allure-report/**",
      "reports/**",
      "out/**",
      "**/out/**",
      "test-results/**",
      "**/*.min.js",
      "bench/out/**",
      "dist/**",
      "playwright-report/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        Buffer: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        URL: "readonly",
        performance: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-non-null-assertion": "off",
      "no-constant-condition": ["error", { checkLoops: false }],
      "no-control-regex": "off",
    },
  },
  {
    files: ["protocol/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "error" },
  },
);
