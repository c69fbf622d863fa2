import { toBinary } from "@bufbuild/protobuf";
import type { DescFile } from "@bufbuild/protobuf";
import { file_google_protobuf_duration, file_google_protobuf_timestamp, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { Server } from "@grpc/grpc-js";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation } from "grpc-health-check";
import { file_grpc_health_v1_health } from "#gen/grpc/health/v1/health_pb.js";
import { file_oups_v1_store } from "./contract.js";

/**
 * Adds the standard health service and server reflection (v1 and v1alpha), so that `buf curl`, grpcurl and other
 * tools can explore the daemon without the .proto files. Returns the health service to flip on shutdown.
 */
export function addHealthAndReflection(server: Server, serviceNames: readonly string[]): HealthImplementation {
  const health = new HealthImplementation(Object.fromEntries(["", ...serviceNames].map((name) => [name, "SERVING"])));
  health.addToServer(server);
  // Reflection is fed the descriptors compiled by buf (from the generated code), not proto-loader's: those carry
  // relative type names, which strict clients such as buf curl reject ("failed to find service").
  const files: DescFile[] = [file_google_protobuf_duration, file_google_protobuf_timestamp, file_oups_v1_store, file_grpc_health_v1_health];
  const fileDescriptorProtos = files.map((file) => Buffer.from(toBinary(FileDescriptorProtoSchema, file.proto)));
  new ReflectionService({ oups: { fileDescriptorProtos } } as unknown as ConstructorParameters<typeof ReflectionService>[0]).addToServer(server);
  return health;
}
