import { BROKER_USERS, topics } from '@aerial/contracts';
import { mosquittoAcl } from './mosquitto-acl';

test('the Mosquitto ACL is written from the contracts: the engine writes job topics, the Hub reads events and status', () => {
  expect(mosquittoAcl(BROKER_USERS)).toBe(
    [
      'user engine',
      `topic write ${topics.allJobTopics}`,
      '',
      'user hub',
      `topic read ${topics.allJobEvents}`,
      `topic read ${topics.allJobStatus}`,
      '',
    ].join('\n'),
  );
  // What the committed manifests held before the ACL was derived: the same file, byte for byte.
  expect(mosquittoAcl(BROKER_USERS)).toBe(
    'user engine\ntopic write aerial/v1/jobs/+/+\n\nuser hub\ntopic read aerial/v1/jobs/+/events\ntopic read aerial/v1/jobs/+/status\n',
  );
});
