/**
 * A small CloudFormation evaluator for tests: resolves the intrinsic functions of a packaged
 * template (Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::If and the condition
 * functions) with fixed pseudo parameters, so that assertions read concrete names and ARNs.
 */

export interface Resource {
  Type: string;
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Properties?: Record<string, unknown>;
}

export interface Template {
  Conditions?: Record<string, unknown>;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, unknown>;
}

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
const PSEUDO: Record<string, string> = {
  'AWS::AccountId': ACCOUNT,
  'AWS::Region': REGION,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'athena-logs-stage',
};

type Json = unknown;

const isObject = (value: Json): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Evaluates a template's intrinsic functions (conditions included). */
export class Evaluator {
  private readonly conditions = new Map<string, boolean>();

  constructor(readonly template: Template) {}

  /** The resource, when the template has it and its Condition (if any) holds. */
  resource(id: string): Resource | undefined {
    const resource = this.template.Resources[id];
    if (resource === undefined) return undefined;
    if (resource.Condition !== undefined && !this.condition(resource.Condition)) return undefined;
    return resource;
  }

  /** The resources of one type that exist under the template's conditions, by logical id. */
  resourcesOfType(type: string): [string, Resource][] {
    return Object.keys(this.template.Resources)
      .map((id) => [id, this.resource(id)] as const)
      .filter((entry): entry is [string, Resource] => entry[1]?.Type === type);
  }

  /** A resource's properties, evaluated. */
  properties(id: string): Record<string, Json> {
    const resource = this.resource(id);
    if (resource === undefined)
      throw new Error(`The template has no resource ${id} (or its condition is false).`);
    return this.value(resource.Properties ?? {}) as Record<string, Json>;
  }

  condition(name: string): boolean {
    const known = this.conditions.get(name);
    if (known !== undefined) return known;
    const definition = this.template.Conditions?.[name];
    if (definition === undefined) throw new Error(`Unknown condition ${name}.`);
    const value = this.truth(definition);
    this.conditions.set(name, value);
    return value;
  }

  private truth(expression: Json): boolean {
    if (!isObject(expression)) throw new Error(`Not a condition: ${JSON.stringify(expression)}`);
    const [[fn, args] = []] = Object.entries(expression);
    const list = Array.isArray(args) ? args : [args];
    switch (fn) {
      case 'Fn::Equals':
        return JSON.stringify(this.value(list[0])) === JSON.stringify(this.value(list[1]));
      case 'Fn::Not':
        return !this.truth(list[0]);
      case 'Fn::And':
        return list.every((item) => this.truth(item));
      case 'Fn::Or':
        return list.some((item) => this.truth(item));
      case 'Condition':
        return this.condition(String(args));
      default:
        throw new Error(`Unsupported condition function ${String(fn)}.`);
    }
  }

  /** The value of any template fragment, every intrinsic function resolved. */
  value(fragment: Json): Json {
    if (Array.isArray(fragment))
      return fragment.map((item) => this.value(item)).filter((item) => item !== undefined);
    if (!isObject(fragment)) return fragment;
    const keys = Object.keys(fragment);
    const [key] = keys;
    if (keys.length === 1 && key !== undefined && (key === 'Ref' || key.startsWith('Fn::'))) {
      return this.intrinsic(key, fragment[key]);
    }
    return Object.fromEntries(
      Object.entries(fragment)
        .map(([name, item]) => [name, this.value(item)] as const)
        .filter(([, item]) => item !== undefined),
    );
  }

  private intrinsic(fn: string, args: Json): Json {
    const list = Array.isArray(args) ? args : [args];
    switch (fn) {
      case 'Ref':
        return this.ref(String(args));
      case 'Fn::GetAtt': {
        const [id, attribute] = typeof args === 'string' ? args.split('.') : list.map(String);
        return this.getAtt(String(id), String(attribute));
      }
      case 'Fn::Sub':
        return this.sub(list[0], isObject(list[1]) ? list[1] : {});
      case 'Fn::Join':
        return (this.value(list[1]) as Json[]).map(String).join(String(list[0]));
      case 'Fn::Select':
        return (this.value(list[1]) as Json[])[Number(this.value(list[0]))];
      case 'Fn::Split':
        return String(this.value(list[1])).split(String(list[0]));
      case 'Fn::If':
        return this.value(this.condition(String(list[0])) ? list[1] : list[2]);
      default:
        throw new Error(`Unsupported intrinsic function ${fn}.`);
    }
  }

  private sub(text: Json, variables: Record<string, Json>): string {
    return String(text).replace(/\$\{(!?)([^}]+)\}/g, (_match, literal: string, name: string) => {
      if (literal === '!') return `\${${name}}`;
      if (name in variables) return String(this.value(variables[name]));
      if (name.includes('.') && !(name in PSEUDO)) {
        const [id = '', attribute = ''] = name.split('.');
        return String(this.getAtt(id, attribute));
      }
      return String(this.ref(name));
    });
  }

  private ref(name: string): Json {
    if (name === 'AWS::NoValue') return undefined;
    const pseudo = PSEUDO[name];
    if (pseudo !== undefined) return pseudo;
    const resource = this.resource(name);
    if (resource === undefined) throw new Error(`Ref to ${name}, which the template does not create.`);
    const p = (this.value(resource.Properties ?? {}) ?? {}) as Record<string, Json>;
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
        return p.TableName ?? name;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${REGION}:${ACCOUNT}:${String(p.TopicName ?? name)}`;
      case 'AWS::SQS::Queue':
        return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${String(p.QueueName ?? name)}`;
      case 'AWS::Lambda::Function':
        return p.FunctionName ?? name;
      case 'AWS::Athena::WorkGroup':
        return p.Name;
      case 'AWS::Glue::Database':
        return (p.DatabaseInput as Record<string, Json>).Name;
      case 'AWS::CloudWatch::Dashboard':
        return p.DashboardName ?? name;
      case 'AWS::S3::Bucket':
        return name.toLowerCase();
      default:
        return name;
    }
  }

  private getAtt(id: string, attribute: string): Json {
    const resource = this.resource(id);
    if (resource === undefined) throw new Error(`Fn::GetAtt of ${id}, which the template does not create.`);
    const p = (this.value(resource.Properties ?? {}) ?? {}) as Record<string, Json>;
    const key = `${resource.Type} ${attribute}`;
    switch (key) {
      case 'AWS::DynamoDB::Table Arn':
        return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${String(this.ref(id))}`;
      case 'AWS::SQS::Queue Arn':
        return `arn:aws:sqs:${REGION}:${ACCOUNT}:${String(p.QueueName ?? id)}`;
      case 'AWS::SQS::Queue QueueName':
        return p.QueueName ?? id;
      case 'AWS::SNS::Topic TopicName':
        return p.TopicName ?? id;
      case 'AWS::Lambda::Function Arn':
        return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${String(this.ref(id))}`;
      case 'AWS::Events::Rule Arn':
        return `arn:aws:events:${REGION}:${ACCOUNT}:rule/${String(p.Name ?? id)}`;
      case 'AWS::IAM::Role Arn':
        return `arn:aws:iam::${ACCOUNT}:role/${id}`;
      default:
        return `${id}.${attribute}`;
    }
  }
}

// ---------------------------------------------------------------- IAM

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: Json;
  NotResource?: Json;
  Principal?: Json;
  Condition?: Json;
}

/** An IAM policy document of the template and where it sits. */
export interface PolicyDocumentAt {
  where: string;
  /** Identity policies (of the functions' role) have resources; trust and resource policies may not. */
  kind: 'identity' | 'trust' | 'resource';
  statements: Statement[];
}

const list = (value: Json): Json[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

export const actionsOf = (statement: Statement): string[] => list(statement.Action).map(String);
export const resourcesOf = (statement: Statement): string[] => list(statement.Resource).map(String);

/** Every IAM policy document of the template (evaluated), whatever resource carries it. */
export function policyDocuments(evaluator: Evaluator): PolicyDocumentAt[] {
  const documents: PolicyDocumentAt[] = [];
  const add = (where: string, kind: PolicyDocumentAt['kind'], document: Json) => {
    if (!isObject(document)) return;
    documents.push({ where, kind, statements: list(document.Statement) as Statement[] });
  };
  for (const [id, resource] of Object.entries(evaluator.template.Resources)) {
    // Conditional resources are checked too: they exist whenever their condition holds.
    const raw = resource.Properties ?? {};
    const property = (name: string): Json => evaluator.value(raw[name]);
    if (resource.Type === 'AWS::IAM::Role') {
      add(`${id} (trust)`, 'trust', property('AssumeRolePolicyDocument'));
      for (const policy of list(property('Policies')) as Record<string, Json>[])
        add(`${id} policy ${String(policy.PolicyName)}`, 'identity', policy.PolicyDocument);
    } else if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      add(id, 'identity', property('PolicyDocument'));
    } else if ('PolicyDocument' in raw) {
      // Resource policies: S3 bucket, SQS queue, SNS topic policies…
      add(id, 'resource', property('PolicyDocument'));
    }
  }
  return documents;
}

/** IAM's wildcard matching of a resource or action pattern: `*` any run of characters, `?` one. */
export function iamMatches(pattern: string, value: string): boolean {
  const regex = pattern
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${regex}$`, 'i').test(value);
}

/**
 * Whether the statements allow `action` on `resource` (an explicit Deny wins). Conditions are
 * ignored: the deployment's own statements have none on Allow.
 */
export function allows(statements: readonly Statement[], action: string, resource: string): boolean {
  const matching = statements.filter(
    (statement) =>
      actionsOf(statement).some((pattern) => iamMatches(pattern, action)) &&
      resourcesOf(statement).some((pattern) => iamMatches(pattern, resource)),
  );
  return matching.some((s) => s.Effect === 'Allow') && !matching.some((s) => s.Effect === 'Deny');
}

/**
 * The identity statements in force for a role: its inline policies plus the AWS::IAM::Policy
 * resources attached to it that exist under the template's conditions.
 */
export function roleStatements(evaluator: Evaluator, roleId: string): Statement[] {
  const role = evaluator.properties(roleId);
  const statements = (list(role.Policies) as Record<string, Json>[]).flatMap(
    (policy) => list((policy.PolicyDocument as Record<string, Json>).Statement) as Statement[],
  );
  for (const [id] of evaluator.resourcesOfType('AWS::IAM::Policy')) {
    const policy = evaluator.properties(id);
    if (list(policy.Roles).includes(roleId))
      statements.push(...(list((policy.PolicyDocument as Record<string, Json>).Statement) as Statement[]));
  }
  return statements;
}
