/** A JSON value as resources and findings hold them. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Outcome of a recommendation on a resource. */
export type State = 'compliant' | 'not_compliant' | 'error' | 'exempt';

/** The resource of a finding. */
export interface ResourceRef {
  id: string;
  /** The type; the Kubernetes kind for manifests. */
  type: string;
  name: string;
  provider: string;
  namespace?: string;
  location?: string;
}

/** A variable bound when the deciding clause was evaluated. */
export interface Binding {
  name: string;
  /** Where it points, e.g. `properties.securityRules[2]`. */
  path: string;
  value: Json;
}

/** Why a finding has its state. */
export interface Explanation {
  message: string;
  clause?: string;
  clause_value: 'false' | 'true' | 'missing';
  path?: string;
  actual?: Json;
  bindings?: Binding[];
  /** The clause's location in the standard's source, `file:line:col`. */
  policy?: string;
}

/** One (recommendation, resource) result that applies. */
export interface Finding {
  recommendation: string;
  title: string;
  severity: 'high' | 'medium' | 'low';
  /** What kind of weakness the recommendation finds. */
  category: 'misconfiguration' | 'exposed-secret' | 'vulnerability';
  state: State;
  refs: Record<string, string[]>;
  resource: ResourceRef;
  explanation?: Explanation;
  remediation?: string;
  /** Fix operations: `{op: "set" | "remove" | "append", path, value?}`. */
  fix?: Array<{ op: 'set' | 'remove' | 'append'; path: string; value?: Json }>;
  /** A resource's own exemption (`tenet-exempt-<recommendation>` tag, label or annotation). */
  exemption?: { id: string; category: 'waiver'; justification: string };
  /** Not compliant, error and exempt findings: the risk level and the factors that raised it. */
  risk?: { level: 'critical' | 'high' | 'medium' | 'low'; factors?: string[] };
}

/** The metadata section of a module (docs/abi.md). */
export interface Metadata {
  abi: number;
  compiler: string;
  standard: { id: string; title: string; version: string; source?: string; description?: string };
  controls: Array<{ id: string; title: string; points: number }>;
  recommendations: Array<{ id: string; title: string; severity: string; control?: string; refs: Record<string, string[]>; [key: string]: unknown }>;
  clauses: Array<{ text: string; path: string; span: { file: string; line: number; col: number } }>;
  vars: Array<{ name: string; source: string }>;
  lookups: Array<{ types: string[]; projection: unknown }>;
  [key: string]: unknown;
}

/** A compiled tenet standard. */
export class Standard {
  /** Loads module bytes; throws unless it is a tenet module of ABI version 1. */
  constructor(bytes: Uint8Array);
  readonly metadata: Metadata;
  /** Evaluates resources; `now` is the evaluation time in seconds since 1970 (default: the clock). */
  evaluate(resources: Json[], options?: { now?: number }): Finding[];
}

/** Provider, type, name, id, namespace and location of a document, or null without a type. */
export function classify(doc: Json): { provider: string; kind: string; name: string; id: string; namespace?: string; location?: string } | null;
/** Encodes a JSON value in the module's value encoding. */
export function encodeValue(value: Json): Uint8Array;
/** Decodes one encoded value. */
export function decodeValue(bytes: Uint8Array): Json;
/** Renders a value as remediation text does. */
export function render(value: Json | undefined): string;
export const ABI_VERSION: 1;
