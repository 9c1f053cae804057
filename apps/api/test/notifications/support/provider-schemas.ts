import { z } from 'zod';

// Shapes below follow each service's published reference; field names are the documented ones.

const slackText = z.object({ type: z.enum(['plain_text', 'mrkdwn']), text: z.string().min(1) });
/** docs.slack.dev Block Kit: header (plain_text ≤150), section (text ≤3000 or ≤10 fields), context. */
export const slackMessageSchema = z.strictObject({
  text: z.string().min(1),
  blocks: z
    .array(
      z.discriminatedUnion('type', [
        z.strictObject({
          type: z.literal('header'),
          text: z.strictObject({ type: z.literal('plain_text'), text: z.string().min(1).max(150), emoji: z.boolean() }),
        }),
        z.strictObject({
          type: z.literal('section'),
          text: slackText.extend({ text: z.string().min(1).max(3000) }).optional(),
          fields: z
            .array(slackText.extend({ text: z.string().min(1).max(2000) }))
            .min(1)
            .max(10)
            .optional(),
        }),
        z.strictObject({ type: z.literal('context'), elements: z.array(slackText).min(1).max(10) }),
      ]),
    )
    .min(1)
    .max(50),
});

/** Discord execute-webhook JSON params with one embed object (limits from the embed reference). */
export const discordMessageSchema = z.strictObject({
  username: z.string().optional(),
  avatar_url: z.string().optional(),
  embeds: z
    .array(
      z.strictObject({
        title: z.string().min(1).max(256),
        description: z.string().max(4096),
        url: z.url(),
        color: z.number().int().min(0).max(0xffffff),
        fields: z
          .array(z.strictObject({ name: z.string().min(1).max(256), value: z.string().min(1).max(1024), inline: z.boolean() }))
          .max(25),
        timestamp: z.iso.datetime({ offset: true }),
        footer: z.strictObject({ text: z.string().max(2048) }),
      }),
    )
    .min(1)
    .max(10),
  allowed_mentions: z.strictObject({ parse: z.array(z.string()) }),
});

const adaptiveElement = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('TextBlock'),
    text: z.string().min(1),
    wrap: z.boolean(),
    color: z.enum(['Default', 'Dark', 'Light', 'Accent', 'Good', 'Warning', 'Attention']).optional(),
  }),
  z.object({
    type: z.literal('FactSet'),
    facts: z.array(z.strictObject({ title: z.string().min(1), value: z.string().min(1) })).min(1),
  }),
]);
/** Teams Workflows webhook: a message whose one attachment carries an Adaptive Card. */
export const teamsMessageSchema = z.strictObject({
  type: z.literal('message'),
  attachments: z
    .array(
      z.strictObject({
        contentType: z.literal('application/vnd.microsoft.card.adaptive'),
        contentUrl: z.null(),
        content: z.object({
          $schema: z.literal('http://adaptivecards.io/schemas/adaptive-card.json'),
          type: z.literal('AdaptiveCard'),
          version: z.literal('1.4'),
          body: z.array(adaptiveElement).min(1),
          actions: z.array(z.strictObject({ type: z.literal('Action.OpenUrl'), title: z.string(), url: z.url() })),
        }),
      }),
    )
    .length(1),
});

/** Mattermost incoming webhook with message attachments (fallback is required by the docs). */
export const mattermostMessageSchema = z.strictObject({
  channel: z.string().optional(),
  username: z.string().optional(),
  icon_url: z.string().optional(),
  attachments: z
    .array(
      z.strictObject({
        fallback: z.string().min(1),
        color: z.string().regex(/^#[0-9A-Fa-f]{6}$/),
        title: z.string().min(1),
        title_link: z.url(),
        text: z.string().min(1),
        fields: z.array(z.strictObject({ short: z.boolean(), title: z.string().min(1), value: z.string().min(1) })),
        footer: z.string(),
      }),
    )
    .length(1),
});

/** Google Chat message with cardsV2 (cardId + card: header, sections of widgets) and a thread key. */
export const googleChatCardMessageSchema = z.strictObject({
  fallbackText: z.string().min(1),
  cardsV2: z
    .array(
      z.strictObject({
        cardId: z.string().min(1),
        card: z.strictObject({
          header: z.strictObject({ title: z.string().min(1), subtitle: z.string() }),
          sections: z
            .array(
              z.strictObject({
                widgets: z
                  .array(
                    z.union([
                      z.strictObject({ textParagraph: z.strictObject({ text: z.string().min(1) }) }),
                      z.strictObject({
                        decoratedText: z.strictObject({ topLabel: z.string(), text: z.string().min(1), wrapText: z.boolean() }),
                      }),
                      z.strictObject({
                        buttonList: z.strictObject({
                          buttons: z.array(
                            z.strictObject({
                              text: z.string(),
                              onClick: z.strictObject({ openLink: z.strictObject({ url: z.url() }) }),
                            }),
                          ),
                        }),
                      }),
                    ]),
                  )
                  .min(1),
              }),
            )
            .min(1),
        }),
      }),
    )
    .length(1),
  thread: z.strictObject({ threadKey: z.string().min(1) }),
});
