import { type DeploymentNames } from '@aerial/contracts';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge, LAMBDA_BASIC_EXECUTION } from '../nag/acknowledge';

/**
 * Days a bucket keeps an object's previous version after it is overwritten or deleted: the window
 * in which the disaster-recovery runbook can restore it (the runbooks' tables read these).
 */
export const NONCURRENT_VERSION_DAYS = { uploads: 1, work: 1, published: 30, backups: 7 } as const;
/** Days before published products move to S3 Infrequent Access. */
export const PUBLISHED_INFREQUENT_ACCESS_DAYS = 30;
/** Days the server access logs are kept (that bucket is not versioned). */
export const ACCESS_LOG_DAYS = 365;

export interface AerialBucketsProps {
  /** Fixed global names (`deploymentNames(env).buckets`): the manifests name the same buckets. */
  readonly names: DeploymentNames['buckets'];
  /** Days before intermediate stage outputs expire. */
  readonly workDays: number;
  /** Days before uploads expire. */
  readonly uploadsDays: number;
  /** Days before published products expire; undefined keeps them (tiered to Infrequent Access). */
  readonly publishedDays?: number;
  /** Keep the buckets and their data when the stack is deleted. @default true */
  readonly retain?: boolean;
}

/**
 * The three buckets of the data flow, all encrypted, TLS-only, private, versioned and logged:
 * uploads (EventBridge notifications on, to start jobs), work (`jobs/<id>/<stage>/`, expiring)
 * and published (products, tiered to cheaper storage as they age); and backups, where the
 * in-cluster PostGIS writes its base backups and WAL.
 */
export class AerialBuckets extends Construct {
  readonly uploads: s3.Bucket;
  readonly work: s3.Bucket;
  readonly published: s3.Bucket;
  readonly backups: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: AerialBucketsProps) {
    super(scope, id);
    const removalPolicy = props.retain === false ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const secure = {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    };
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      ...secure,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(ACCESS_LOG_DAYS) }],
    });
    const logged = (prefix: string) => ({
      ...secure,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: `${prefix}/`,
    });
    this.uploads = new s3.Bucket(this, 'Uploads', {
      ...logged('uploads'),
      bucketName: props.names.uploads,
      eventBridgeEnabled: true,
      lifecycleRules: [
        {
          expiration: Duration.days(props.uploadsDays),
          noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_DAYS.uploads),
          abortIncompleteMultipartUploadAfter: Duration.days(2),
        },
      ],
    });
    // EventBridge notifications are switched on by a CDK custom resource with a Lambda of its own.
    acknowledge(
      Stack.of(this),
      'the CDK bucket-notifications handler only writes its own logs with this AWS-managed policy',
      [LAMBDA_BASIC_EXECUTION],
    );
    this.work = new s3.Bucket(this, 'Work', {
      ...logged('work'),
      bucketName: props.names.work,
      lifecycleRules: [
        {
          prefix: 'jobs/',
          expiration: Duration.days(props.workDays),
          noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_DAYS.work),
        },
      ],
    });
    this.published = new s3.Bucket(this, 'Published', {
      ...logged('published'),
      bucketName: props.names.published,
      lifecycleRules: [
        {
          transitions: [
            {
              storageClass: s3.StorageClass.INFREQUENT_ACCESS,
              transitionAfter: Duration.days(PUBLISHED_INFREQUENT_ACCESS_DAYS),
            },
          ],
          noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_DAYS.published),
          ...(props.publishedDays ? { expiration: Duration.days(props.publishedDays) } : {}),
        },
      ],
    });
    // CloudNativePG's barman keeps its own retention (30 days in prod); old versions go after a week.
    this.backups = new s3.Bucket(this, 'Backups', {
      ...logged('backups'),
      bucketName: props.names.backups,
      lifecycleRules: [
        {
          noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_DAYS.backups),
          abortIncompleteMultipartUploadAfter: Duration.days(2),
        },
      ],
    });
  }

  /** Stage workers: read uploads, read and write the work bucket. */
  grantStageAccess(grantee: iam.IGrantable): void {
    this.uploads.grantRead(grantee);
    this.work.grantReadWrite(grantee);
  }

  /** The Publish stage: read work, write published. */
  grantPublish(grantee: iam.IGrantable): void {
    this.work.grantRead(grantee);
    this.published.grantReadWrite(grantee);
  }
}
