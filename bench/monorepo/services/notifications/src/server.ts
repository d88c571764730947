import nodemailer from "nodemailer";
import { serve } from "@bench/http-kit";

const transport = nodemailer.createTransport({ jsonTransport: true });
serve("notifications", (req, res) => {
  if (req.url !== "/preview") return false;
  transport.sendMail({ to: "ops@example.com", subject: "preview", text: "hello" }, (err, info) => {
    res.writeHead(err ? 500 : 200, { "content-type": "application/json" });
    res.end(err ? JSON.stringify({ error: String(err) }) : info.message.toString());
  });
  return true;
});
