import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { acknowledge } from '../nag/acknowledge';

export interface TileDatabaseProps {
  readonly vpc: ec2.IVpc;
  /** e.g. "t4g.medium" */
  readonly instanceClass: string;
  readonly allocatedStorageGb: number;
  /** Days of automated backups (at least 7). */
  readonly backupRetentionDays: number;
  /** Standby in a second AZ, deletion protection, snapshot on delete. @default false */
  readonly production?: boolean;
}

/**
 * PostgreSQL for the tile database (reconstructions, footprints, jobs). PostGIS is an extension
 * of RDS PostgreSQL, created by the Hub's first migration. Credentials live in Secrets Manager and
 * rotate; applications connect with IAM authentication where their driver supports it.
 */
export class TileDatabase extends Construct {
  static readonly DATABASE_NAME = 'aerial';
  readonly instance: rds.DatabaseInstance;

  constructor(scope: Construct, id: string, props: TileDatabaseProps) {
    super(scope, id);
    if (props.backupRetentionDays < 7)
      throw new Error(`backup retention must be at least 7 days, got ${props.backupRetentionDays}`);
    const production = props.production ?? false;
    this.instance = new rds.DatabaseInstance(this, 'Resource', {
      // A minor version RDS still creates (cfn-lint W3691 lists the retired ones); minor upgrades
      // then follow automatically.
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17_9 }),
      instanceType: new ec2.InstanceType(props.instanceClass),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      databaseName: TileDatabase.DATABASE_NAME,
      credentials: rds.Credentials.fromGeneratedSecret('aerial_admin'),
      iamAuthentication: true,
      storageEncrypted: true,
      allocatedStorage: props.allocatedStorageGb,
      maxAllocatedStorage: props.allocatedStorageGb * 4,
      multiAz: production,
      deletionProtection: production,
      removalPolicy: production ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
      backupRetention: Duration.days(props.backupRetentionDays),
      enablePerformanceInsights: true,
      cloudwatchLogsExports: ['postgresql', 'upgrade'],
      autoMinorVersionUpgrade: true,
      parameters: { 'rds.force_ssl': '1' },
    });
    this.instance.addRotationSingleUser({ automaticallyAfter: Duration.days(30) });
    acknowledge(
      this.instance,
      'the port is reachable only from the cluster security group inside isolated subnets; a non-default port adds no protection',
      ['AwsSolutions-RDS11'],
    );
    if (!production) {
      acknowledge(
        this.instance,
        'dev and staging databases are disposable: one AZ and no deletion protection keep them cheap and easy to recreate',
        ['AwsSolutions-RDS3', 'AwsSolutions-RDS10'],
      );
    }
  }

  /** Lets `grantee` connect as `user` with IAM authentication. */
  grantConnect(grantee: iam.IGrantable, user: string): iam.Grant {
    return this.instance.grantConnect(grantee, user);
  }

  /** Opens the PostgreSQL port to `peer`. */
  allowFrom(peer: ec2.IConnectable): void {
    this.instance.connections.allowDefaultPortFrom(peer);
  }
}
