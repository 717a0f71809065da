using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DependencyProxy.Data.Migrations
{
    /// <inheritdoc />
    public partial class DockerHubCredentialsInTheCredentialTable : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Docker Hub's account moves from the group row to the table of the other registries' accounts, as it was
            // (either part may be set alone; the columns allow null since the migration before, a separate one because
            // SQLite rebuilds tables after a migration's SQL). The table never held a docker.io row the code read.
            migrationBuilder.Sql("""
                DELETE FROM "GroupUpstreamCredentials" WHERE "Registry" = 'docker.io';
                """);
            migrationBuilder.Sql("""
                INSERT INTO "GroupUpstreamCredentials" ("GroupId", "Registry", "Identity", "SecretProtected", "CreatedAt")
                SELECT "Id", 'docker.io', "DockerHubIdentity", "DockerHubSecretProtected", CURRENT_TIMESTAMP
                FROM "Groups"
                WHERE "DockerHubIdentity" IS NOT NULL OR "DockerHubSecretProtected" IS NOT NULL;
                """);

            migrationBuilder.DropColumn(
                name: "DockerHubIdentity",
                table: "Groups");

            migrationBuilder.DropColumn(
                name: "DockerHubSecretProtected",
                table: "Groups");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "DockerHubIdentity",
                table: "Groups",
                type: "TEXT",
                maxLength: 255,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DockerHubSecretProtected",
                table: "Groups",
                type: "TEXT",
                nullable: true);

            // Docker Hub's account goes back onto the group row.
            migrationBuilder.Sql("""
                UPDATE "Groups" SET
                    "DockerHubIdentity" = (SELECT c."Identity" FROM "GroupUpstreamCredentials" c
                        WHERE c."GroupId" = "Groups"."Id" AND c."Registry" = 'docker.io'),
                    "DockerHubSecretProtected" = (SELECT c."SecretProtected" FROM "GroupUpstreamCredentials" c
                        WHERE c."GroupId" = "Groups"."Id" AND c."Registry" = 'docker.io');
                """);
            migrationBuilder.Sql("""
                DELETE FROM "GroupUpstreamCredentials" WHERE "Registry" = 'docker.io' OR "Identity" IS NULL OR "SecretProtected" IS NULL;
                """);
        }
    }
}
