import { z } from "zod";
import { HttpUrl } from "./primitives.js";

const MAX_TEXT_CHARS = 1_000_000;
// A log message holds at most 1 MiB, so a larger inline payload could never be stored.
const MAX_BASE64_CHARS = 1_048_576;
const MediaType = z.string().min(1).max(255);
const FileId = z.string().min(1).max(256);

export const TextBlock = z.object({ type: z.literal("text"), text: z.string().max(MAX_TEXT_CHARS) });
export type TextBlock = z.infer<typeof TextBlock>;

export const Base64Source = z.object({
  type: z.literal("base64"),
  data: z.string().max(MAX_BASE64_CHARS),
  media_type: MediaType,
});
export type Base64Source = z.infer<typeof Base64Source>;

export const UrlSource = z.object({ type: z.literal("url"), url: HttpUrl });
export type UrlSource = z.infer<typeof UrlSource>;

export const FileSource = z.object({ type: z.literal("file"), file_id: FileId });
export type FileSource = z.infer<typeof FileSource>;

export const PlainTextSource = z.object({
  type: z.literal("text"),
  data: z.string().max(MAX_TEXT_CHARS),
  media_type: z.literal("text/plain"),
});
export type PlainTextSource = z.infer<typeof PlainTextSource>;

export const ImageSource = z.discriminatedUnion("type", [Base64Source, UrlSource, FileSource]);
export type ImageSource = z.infer<typeof ImageSource>;

export const ImageBlock = z.object({ type: z.literal("image"), source: ImageSource });
export type ImageBlock = z.infer<typeof ImageBlock>;

export const DocumentSource = z.discriminatedUnion("type", [
  Base64Source,
  PlainTextSource,
  UrlSource,
  FileSource,
]);
export type DocumentSource = z.infer<typeof DocumentSource>;

export const DocumentBlock = z.object({
  type: z.literal("document"),
  source: DocumentSource,
  title: z.string().max(500).nullish(),
  context: z.string().max(MAX_TEXT_CHARS).nullish(),
});
export type DocumentBlock = z.infer<typeof DocumentBlock>;

export const SearchResultBlock = z.object({
  type: z.literal("search_result"),
  source: z.string().min(1).max(2048),
  title: z.string().max(1000),
  content: z.array(TextBlock).max(100),
  citations: z.object({ enabled: z.boolean() }),
});
export type SearchResultBlock = z.infer<typeof SearchResultBlock>;

/** Placeholder for content withheld by model policy. */
export const RedactedBlock = z.object({ type: z.literal("redacted") });
export type RedactedBlock = z.infer<typeof RedactedBlock>;

export const UserContentBlock = z.discriminatedUnion("type", [
  TextBlock,
  ImageBlock,
  DocumentBlock,
  RedactedBlock,
]);
export type UserContentBlock = z.infer<typeof UserContentBlock>;

export const AgentContentBlock = z.discriminatedUnion("type", [TextBlock, RedactedBlock]);
export type AgentContentBlock = z.infer<typeof AgentContentBlock>;

export const ToolResultContentBlock = z.discriminatedUnion("type", [
  TextBlock,
  ImageBlock,
  DocumentBlock,
  SearchResultBlock,
]);
export type ToolResultContentBlock = z.infer<typeof ToolResultContentBlock>;

/** What agents send each other in a multiagent session. */
export const ThreadContentBlock = UserContentBlock;
export type ThreadContentBlock = UserContentBlock;

export const SystemContentBlock = TextBlock;
export type SystemContentBlock = TextBlock;

export const MAX_CONTENT_BLOCKS = 1000;
