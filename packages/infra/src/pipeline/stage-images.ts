import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { Construct } from 'constructs';

export interface StageImagesProps {
  /** Image (repository) names, one per stage container image. */
  readonly images: readonly string[];
  /** Keep repositories and images when the stack is deleted. @default true */
  readonly retain?: boolean;
}

/** One ECR repository per stage container image: scanned on push, immutable tags, pruned. */
export class StageImages extends Construct {
  readonly repositories: Record<string, ecr.Repository> = {};

  constructor(scope: Construct, id: string, props: StageImagesProps) {
    super(scope, id);
    for (const image of props.images) {
      this.repositories[image] = new ecr.Repository(this, image, {
        repositoryName: image,
        imageScanOnPush: true,
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        encryption: ecr.RepositoryEncryption.AES_256,
        removalPolicy: props.retain === false ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
        emptyOnDelete: props.retain === false,
        lifecycleRules: [
          {
            description: 'drop untagged layers',
            tagStatus: ecr.TagStatus.UNTAGGED,
            maxImageAge: Duration.days(7),
            rulePriority: 1,
          },
          {
            description: 'keep the last 30 releases',
            tagStatus: ecr.TagStatus.ANY,
            maxImageCount: 30,
            rulePriority: 2,
          },
        ],
      });
    }
  }

  repository(image: string): ecr.Repository {
    const repository = this.repositories[image];
    if (!repository) throw new Error(`no ECR repository for image ${image}: add it to StageImages`);
    return repository;
  }
}
