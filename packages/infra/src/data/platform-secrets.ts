import { CLUSTER_BROKER, CLUSTER_NAMESPACES, deploymentNames, type EnvironmentName } from '@aerial/contracts';
import { Fn, RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from '../nag/acknowledge';

export interface PlatformSecretsProps {
  readonly environmentName: EnvironmentName;
  /** Keep the secrets when the stack is deleted. @default true */
  readonly retain?: boolean;
}

/** The PostGIS owner the cluster's database is bootstrapped with (data chart: initdb owner). */
export const POSTGIS_OWNER = 'aerial';
/** The MQTT user the Hub connects as (the broker's password file names it). */
export const MQTT_HUB_USER = 'hub';

/**
 * The Secrets Manager secrets External Secrets copies into the cluster, under the names the
 * manifests read (`deploymentNames(env).secrets`), with the properties they read:
 *
 * - postgis `{username, password}`: generated here.
 * - mqtt `{hubPassword, hub, engine}`: `hubPassword` is generated; `hub` and `engine` are the
 *   broker's password-file lines (`mosquitto_passwd` output), which only an operator can hash:
 *   they are empty, so the broker admits no one, until the operator fills them in (runbook).
 * - hub `{databaseUrl, mqttUrl}`: composed by CloudFormation from the two above (dynamic
 *   references: the values never appear in a template), pointing at the in-cluster services.
 * - mqtt-engine `{password}`: generated here; the stage pods publish their progress as the
 *   broker's `engine` user with it (the operator hashes it into mqtt's `engine` line).
 */
export class PlatformSecrets extends Construct {
  readonly postgis: secretsmanager.Secret;
  readonly mqtt: secretsmanager.Secret;
  readonly hub: secretsmanager.Secret;
  readonly mqttEngine: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: PlatformSecretsProps) {
    super(scope, id);
    const names = deploymentNames(props.environmentName);
    const removalPolicy = props.retain === false ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    // URL-safe passwords: they go into connection URLs unescaped.
    const generated = (template: Record<string, string>, key: string) => ({
      secretStringTemplate: JSON.stringify(template),
      generateStringKey: key,
      passwordLength: 40,
      excludePunctuation: true,
    });
    this.postgis = new secretsmanager.Secret(this, 'Postgis', {
      secretName: names.secrets.postgis,
      description: `Aerial ${props.environmentName}: owner of the in-cluster PostGIS database`,
      generateSecretString: generated({ username: POSTGIS_OWNER }, 'password'),
      removalPolicy,
    });
    this.mqtt = new secretsmanager.Secret(this, 'Mqtt', {
      secretName: names.secrets.mqtt,
      description: `Aerial ${props.environmentName}: MQTT broker users (fill hub and engine with mosquitto_passwd lines)`,
      generateSecretString: generated({ hub: '', engine: '' }, 'hubPassword'),
      removalPolicy,
    });
    this.mqttEngine = new secretsmanager.Secret(this, 'MqttEngine', {
      secretName: names.secrets.mqttEngine,
      description: `Aerial ${props.environmentName}: password of the broker's engine user, which stage pods publish progress as`,
      generateSecretString: generated({}, 'password'),
      removalPolicy,
    });
    const data = CLUSTER_NAMESPACES.data;
    const field = (secret: secretsmanager.ISecret, key: string) => secret.secretValueFromJson(key).unsafeUnwrap();
    this.hub = new secretsmanager.Secret(this, 'Hub', {
      secretName: names.secrets.hub,
      description: `Aerial ${props.environmentName}: the Hub's database and broker URLs`,
      secretObjectValue: {
        databaseUrl: SecretValue.unsafePlainText(
          Fn.join('', [
            `postgres://${POSTGIS_OWNER}:`,
            field(this.postgis, 'password'),
            `@postgis-rw.${data}.svc:5432/aerial`,
          ]),
        ),
        mqttUrl: SecretValue.unsafePlainText(
          Fn.join('', [
            `mqtt://${MQTT_HUB_USER}:`,
            field(this.mqtt, 'hubPassword'),
            `@${CLUSTER_BROKER.host}:${CLUSTER_BROKER.port}`,
          ]),
        ),
      },
      removalPolicy,
    });
    acknowledge(
      this,
      'read by External Secrets into the cluster; no rotation Lambda understands these formats (a rotated database password must also reach PostgreSQL), so operators rotate them by the runbook',
      ['AwsSolutions-SMG4'],
    );
  }
}
