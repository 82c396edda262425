/**
 * The format of CAT's acceptance-test-config.yml (connector_acceptance_test/config.py), as a JSON
 * schema: CAT's models forbid unknown keys, so every object here does too.
 */
type Schema = Record<string, unknown>;

const bypassReason: Schema = { type: 'string', minLength: 1 };
const path: Schema = { type: 'string', minLength: 1 };
const timeout: Schema = { type: 'integer', minimum: 1 };
const namedBypass: Schema = {
  type: 'array',
  items: { type: 'object', additionalProperties: false, required: ['name'], properties: { name: { type: 'string' }, bypass_reason: bypassReason } },
};
const ignoredFields: Schema = { type: 'object', additionalProperties: namedBypass };
const backwardCompatibility: Schema = {
  type: 'object',
  additionalProperties: false,
  properties: { previous_connector_version: { type: 'string' }, disable_for_version: { type: 'string' }, bypass_reason: bypassReason },
};

/** A section holds either its tests or a reason to skip it. */
function section(test: Schema): Schema {
  return {
    type: 'object',
    additionalProperties: false,
    properties: { tests: { type: 'array', minItems: 1, items: { type: 'object', additionalProperties: false, ...test } }, bypass_reason: bypassReason },
    oneOf: [{ required: ['tests'] }, { required: ['bypass_reason'] }],
  };
}

export const ACCEPTANCE_CONFIG_SCHEMA: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['connector_image', 'acceptance_tests'],
  properties: {
    connector_image: { type: 'string', pattern: '^[a-z0-9./_-]+:[A-Za-z0-9._-]+$' },
    test_strictness_level: { enum: ['high', 'low'] },
    base_path: path,
    custom_environment_variables: { type: 'object', additionalProperties: { type: 'string' } },
    acceptance_tests: {
      type: 'object',
      additionalProperties: false,
      properties: {
        spec: section({
          properties: {
            spec_path: path,
            config_path: path,
            timeout_seconds: timeout,
            deployment_mode: { enum: ['cloud', 'oss'] },
            backward_compatibility_tests_config: backwardCompatibility,
            auth_default_method: { type: 'object', additionalProperties: false, properties: { oauth: { type: 'boolean' }, bypass_reason: bypassReason } },
          },
        }),
        connection: section({
          required: ['status'],
          properties: { config_path: path, status: { enum: ['succeed', 'failed', 'exception'] }, timeout_seconds: timeout, deployment_mode: { enum: ['cloud', 'oss'] } },
        }),
        discovery: section({
          properties: {
            config_path: path,
            timeout_seconds: timeout,
            deployment_mode: { enum: ['cloud', 'oss'] },
            backward_compatibility_tests_config: backwardCompatibility,
            validate_primary_keys_data_type: { type: 'boolean' },
          },
        }),
        basic_read: section({
          properties: {
            config_path: path,
            deployment_mode: { enum: ['cloud', 'oss'] },
            configured_catalog_path: path,
            empty_streams: namedBypass,
            expect_records: {
              type: 'object',
              additionalProperties: false,
              properties: { path, exact_order: { type: 'boolean' }, bypass_reason: bypassReason },
            },
            validate_schema: { type: 'boolean' },
            fail_on_extra_columns: { type: 'boolean' },
            validate_data_points: { type: 'boolean' },
            validate_stream_statuses: { type: 'boolean' },
            validate_state_messages: { type: 'boolean' },
            validate_primary_keys_data_type: { type: 'boolean' },
            expect_trace_message_on_failure: { type: 'boolean' },
            ignored_fields: ignoredFields,
            file_types: { type: 'object' },
            timeout_seconds: timeout,
          },
        }),
        full_refresh: section({
          properties: { config_path: path, deployment_mode: { enum: ['cloud', 'oss'] }, configured_catalog_path: path, ignored_fields: ignoredFields, timeout_seconds: timeout },
        }),
        incremental: section({
          properties: {
            config_path: path,
            deployment_mode: { enum: ['cloud', 'oss'] },
            configured_catalog_path: path,
            future_state: {
              type: 'object',
              additionalProperties: false,
              properties: { future_state_path: path, missing_streams: namedBypass, bypass_reason: bypassReason },
            },
            skip_comprehensive_incremental_tests: { type: 'boolean' },
            timeout_seconds: timeout,
          },
        }),
        connector_attributes: section({ properties: { config_path: path, streams_without_primary_key: namedBypass, allowed_hosts: { type: 'object' }, suggested_streams: { type: 'object' } } }),
        connector_documentation: section({ properties: { config_path: path } }),
      },
    },
  },
};
