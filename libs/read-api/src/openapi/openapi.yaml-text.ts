import { OpenAPIObject } from '@nestjs/swagger';

/** Serializer injected by the caller (the `yaml` package is a development dependency). */
export type YamlStringify = (value: unknown, options: { lineWidth: number; aliasDuplicateObjects: boolean }) => string;

const HEADER =
  "# Generated from the read API's controllers and DTOs (libs/read-api). Do not edit by hand:\n" +
  '# regenerate with `UPDATE_OPENAPI=1 npx jest test/read-api/openapi.int-spec.ts --selectProjects integration`.\n';

export function openApiYaml(document: OpenAPIObject, stringify: YamlStringify): string {
  return HEADER + stringify(document, { lineWidth: 0, aliasDuplicateObjects: false });
}
