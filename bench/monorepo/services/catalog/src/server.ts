import { S3Client } from "@aws-sdk/client-s3";
import sortBy from "lodash/sortBy";
import { serve } from "@bench/http-kit";

const s3 = new S3Client({ region: process.env.AWS_REGION ?? "eu-west-1" });
const items = sortBy([{ sku: "b", price: 2 }, { sku: "a", price: 1 }], "sku");
serve("catalog", (req, res) => {
  if (req.url !== "/items") return false;
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ region: process.env.AWS_REGION ?? "eu-west-1", items }));
  return true;
});
