import { type BROKER_USERS } from '@aerial/contracts';

/**
 * A Mosquitto ACL file from the contracts' broker users: each user may write the topics it
 * publishes and read those it subscribes to, nothing else.
 */
export function mosquittoAcl(users: typeof BROKER_USERS): string {
  const blocks = Object.entries(users).map(([user, access]) =>
    [
      `user ${user}`,
      ...access.publish.map((filter) => `topic write ${filter}`),
      ...access.subscribe.map((filter) => `topic read ${filter}`),
      '',
    ].join('\n'),
  );
  return blocks.join('\n');
}
