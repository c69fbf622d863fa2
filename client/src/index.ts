export { Store, DatasetHandle } from "./store.js";
export { DatasetWriter } from "./dataset-writer.js";
export type { DatasetWriterOptions } from "./dataset-writer.js";
export { OupsClient } from "./oups-client.js";
export type {
  BoundValue,
  DatasetDescription,
  Intersection,
  OupsClientOptions,
  RangeQueryOptions,
  RowGroupDescription,
  SchemaVersionDescription,
  WriteData,
  WriteOptions,
  WriteResult,
} from "./oups-client.js";
export type { CheckFinding, CheckReport } from "./check-report.js";
export { FileLease } from "./versions.js";
export type {
  DataFile,
  FileListing,
  ListFilesOptions,
  RestoreResult,
  RetentionOverride,
  RetentionPolicy,
  SnapshotInfo,
  SnapshotScope,
  Version,
  VersionChange,
  VersionInfo,
  VersionList,
} from "./versions.js";
export type { OupsTlsOptions } from "./tls-options.js";
export { toplevel, sameIndexLayout } from "./index-schema.js";
export type { DeclaredKey, IndexDeclaration, IndexFieldType, IndexSchemaDescription, KeyFields, KeyOf, LevelFields } from "./index-schema.js";
export { OupsClientError, isOupsClientError } from "./errors.js";
export type { CallOptions } from "./grpc/typed-client.js";
// Symbols below are for tools built on the SDK, not for applications.
export { createTypedClient } from "./grpc/typed-client.js";
export type { TypedClient } from "./grpc/typed-client.js";
export { toGrpcServiceDefinition } from "#shared/grpc/service-definition.js";
export { StoreService } from "#gen/oups/v1/store_pb.js";
