// Types of the Prism packages we build on, derived from their public exports so that no transitive
// package (@stoplight/types, fp-ts) has to be imported directly.
import type { getHttpOperationsFromSpec, PrismHttpComponents } from "@stoplight/prism-http";

export type HttpOperation = Awaited<ReturnType<typeof getHttpOperationsFromSpec>>[number];
export type MockComponent = PrismHttpComponents["mock"];
export type MockArguments = Parameters<MockComponent>[0];
export type MockLogger = Parameters<ReturnType<MockComponent>>[0];
export type MockResult = ReturnType<ReturnType<MockComponent>>;
export type MockResponse = Extract<MockResult, { _tag: "Right" }>["right"];
export type RouteComponent = PrismHttpComponents["route"];
export type ValidatorComponent = PrismHttpComponents["validateInput"];
export type Diagnostic = Parameters<PrismHttpComponents["mock"]>[0]["input"]["validations"][number];
