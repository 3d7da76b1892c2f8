import { CfnOutput } from 'aws-cdk-lib';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

export interface JobMailProps {
  /** The domain Notify sends from (settings.mailDomain). */
  readonly domain: string;
}

/**
 * The SES domain identity Notify sends job emails from (`noreply@<domain>`), with Easy DKIM. SES
 * sends only once the domain is verified: the operator publishes the three DKIM CNAME records
 * printed as stack outputs (first-deploy runbook). A new account's SES is also in the sandbox,
 * which delivers only to verified addresses until AWS grants production access.
 */
export class JobMail extends Construct {
  readonly identity: ses.EmailIdentity;
  readonly from: string;

  constructor(scope: Construct, id: string, props: JobMailProps) {
    super(scope, id);
    this.identity = new ses.EmailIdentity(this, 'Identity', { identity: ses.Identity.domain(props.domain) });
    this.from = `noreply@${props.domain}`;
    const records: [string, string][] = [
      [this.identity.dkimDnsTokenName1, this.identity.dkimDnsTokenValue1],
      [this.identity.dkimDnsTokenName2, this.identity.dkimDnsTokenValue2],
      [this.identity.dkimDnsTokenName3, this.identity.dkimDnsTokenValue3],
    ];
    records.forEach(([name, value], i) => {
      new CfnOutput(this, `DkimRecord${i + 1}`, {
        description: `DKIM record ${i + 1} of 3 to publish in ${props.domain}'s DNS (CNAME name, then value)`,
        value: `${name} CNAME ${value}`,
      });
    });
  }
}
